"""Remittances into a Pakistani bank account, recorded by hand or from a Kamai withdrawal the bank credited:
cash:bank:PKR +net · tax:withheld:PKR +t · fx:PKR −(net+t); fx:<CUR> +U · <from> −U."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.models import (
    Entry,
    EntryKind,
    ExpenseCategory,
    Origin,
    PkrBasis,
    Remittance,
    Source,
)
from books.month_totals import entries_insert, entry_insert
from books.projection import KAMAI_PLACE
from books.services._common import (
    _check_amount,
    _check_date,
    _check_place,
    _claim,
    cash,
    fingerprint,
    income_account,
    ledger_key,
    tax_withheld_account,
)
from ledger import chart
from ledger.errors import LedgerError
from ledger.models import Hold, personal_book
from ledger.money import MoneyError, from_minor, to_minor
from ledger.services import Leg, fx_clearing_account, personal_account, post_transaction


def remittance_record(
    *,
    user,
    received_on: date,
    currency: str,
    amount: Decimal,
    pkr_net: Decimal,
    tax_withheld: Decimal,
    from_place: str,
    client: str = "",
    bank: str = "",
    prc_number: str = "",
    purpose_code: str = "",
    idempotency_key: str,
) -> Remittance:
    """Record foreign proceeds the bank converted to PKR, with the tax it withheld (s.154A). From one of the
    freelancer's accounts (Payoneer, Wise) it is a conversion; from a client directly ("direct") it is also
    income, valued at the realized PKR the bank credited."""
    fp = fingerprint("remittance", idempotency_key)
    request = {"on": received_on, "currency": currency, "amount": amount, "pkr_net": pkr_net, "from": from_place}
    existing = Remittance.objects.filter(user=user, transaction__idempotency_key=ledger_key(user, "remit", fp)).first()
    if existing is not None:
        _claim(idempotency_key, user, "remittance_record", request)
        return existing
    if currency == "PKR":
        raise BooksError(_("A remittance arrives in a foreign currency."))
    minor = _check_amount(amount, currency)
    amount = from_minor(minor, currency)
    net_minor = _check_amount(pkr_net, "PKR")
    withheld_minor = 0
    if tax_withheld:
        try:
            withheld_minor = to_minor(tax_withheld, "PKR")
        except MoneyError as error:
            raise BooksError(str(error)) from None
        if withheld_minor < 0:
            raise BooksError(_("The tax withheld cannot be negative."))
    _check_date(received_on)
    from_place = _check_place(from_place)
    purpose_code = (purpose_code or "").strip()
    if purpose_code and not purpose_code.isdigit():
        raise BooksError(_("A purpose code is digits only, like 9186."))
    net, withheld = from_minor(net_minor, "PKR"), from_minor(withheld_minor, "PKR")
    gross = net + withheld
    book = personal_book(user.pk)
    direct = from_place == "direct"
    source_account = income_account(user, "direct", currency) if direct else cash(user, from_place, currency)
    legs = [
        Leg(cash(user, "bank", "PKR"), net),
        Leg(fx_clearing_account(currency="PKR", book=book), -gross),
        Leg(fx_clearing_account(currency=currency, book=book), amount),
        Leg(source_account, -amount),
    ]
    if withheld_minor:
        legs.append(Leg(tax_withheld_account(user), withheld))
    try:
        with transaction.atomic():
            _claim(idempotency_key, user, "remittance_record", request)
            txn = post_transaction(
                legs,
                idempotency_key=ledger_key(user, "remit", fp),
                kind=chart.TxnKind.BOOKS_REMITTANCE,
                memo=f"{currency} → PKR {bank}"[:255],
                reference=f"prc:{prc_number}"[:120] if prc_number else "",
            )
            entry = None
            if direct:
                entry = entry_insert(
                    user=user,
                    kind=EntryKind.INCOME,
                    occurred_on=received_on,
                    amount_minor=minor,
                    currency=currency,
                    pkr_minor=net_minor + withheld_minor,
                    pkr_basis=PkrBasis.REALIZED,
                    fx_rate=(gross / amount).quantize(Decimal("0.00000001")),
                    source=Source.BANK,
                    place="bank",
                    client=client[:120],
                    description=_("Remittance to %(bank)s") % {"bank": bank or _("bank")},
                    fingerprint=fp,
                    transaction=txn,
                )
            return Remittance.objects.create(
                user=user,
                received_on=received_on,
                currency=currency,
                amount_minor=minor,
                pkr_net_minor=net_minor,
                tax_withheld_minor=withheld_minor,
                from_place=from_place,
                client=client[:120],
                bank=bank[:80],
                prc_number=prc_number.strip()[:40],
                purpose_code=purpose_code[:8],
                transaction=txn,
                entry=entry,
            )
    except LedgerError as error:
        raise BooksError(str(error)) from None


def remittance_set_prc(*, remittance: Remittance, prc_number: str, purpose_code: str) -> Remittance:
    """Record the bank's Proceeds Realization Certificate and purpose code; moves no money."""
    purpose_code = (purpose_code or "").strip()
    if purpose_code and not purpose_code.isdigit():
        raise BooksError(_("A purpose code is digits only, like 9186."))
    remittance.prc_number = (prc_number or "").strip()[:40]
    remittance.purpose_code = purpose_code[:8]
    remittance.save(update_fields=["prc_number", "purpose_code"])
    return remittance


def remittance_from_withdrawal(*, withdrawal) -> Remittance | None:
    """A Kamai withdrawal the bank credited becomes the freelancer's remittance, in the database transaction that
    settles it: the amount sent, the realized PKR (or, for a foreign-currency account, the wallet's carrying
    value), the tax the bank withheld, the PRC number and purpose code. The Kamai fee is an expense at the
    wallet's carrying value, and the difference between the realized PKR and the carrying value of what was sent
    is the exchange gain or loss. Personal book: cash:bank:PKR +net · tax:withheld +t · fx:PKR −(net+t);
    fx:<CUR> +S · kamai:wallet:<CUR> −S. Nothing for a PKR wallet but the fee."""

    user = withdrawal.freelancer
    settlement_id = Hold.objects.values_list("settlement_id", flat=True).get(pk=withdrawal.hold_id)
    transfer = Entry.objects.filter(user=user, transaction_id=settlement_id, kind=EntryKind.TRANSFER).first()
    carried = transfer.pkr_minor if transfer is not None else None
    currency = withdrawal.currency
    sent_minor = withdrawal.amount_minor - withdrawal.fee_minor
    today = timezone.localdate()
    base = {"user": user, "origin": Origin.LEDGER, "occurred_on": today, "source": Source.KAMAI, "place": KAMAI_PLACE}
    entries = []
    fee_pkr = None
    if withdrawal.fee_minor:
        if currency == "PKR":
            fee_pkr = withdrawal.fee_minor
        elif carried is not None:
            fee_pkr = carried * withdrawal.fee_minor // withdrawal.amount_minor
        entries.append(
            Entry(
                **base,
                kind=EntryKind.EXPENSE,
                amount_minor=withdrawal.fee_minor,
                currency=currency,
                pkr_minor=fee_pkr,
                pkr_basis=PkrBasis.PKR
                if currency == "PKR"
                else (PkrBasis.REFERENCE if fee_pkr is not None else PkrBasis.MISSING),
                category=ExpenseCategory.FEES,
                description=_("Kamai withdrawal fee, withdrawal #%(id)d") % {"id": withdrawal.pk},
                fingerprint=f"withdrawal:{withdrawal.pk}:fee",
                transaction_id=settlement_id,
            )
        )
    remittance = None
    if currency != "PKR":
        sent_carried = None if carried is None else carried - (fee_pkr or 0)
        sent = from_minor(sent_minor, currency)
        drawn = personal_account(user=user, spec=chart.kamai_wallet_drawn(user.pk, currency))
        memo = f"Kamai withdrawal #{withdrawal.pk} to {withdrawal.bank_account.bank_name}"[:255]
        if withdrawal.realized_pkr_minor is None:
            # Paid into a foreign-currency account: the money stays in its currency until the freelancer converts.
            if withdrawal.tax_withheld_minor:
                raise BooksError(_("Enter the PKR amount the bank credited, to record the tax it withheld."))
            legs = [Leg(cash(user, "bank", currency), sent), Leg(drawn, -sent)]
            gross_minor = sent_carried
        else:
            gross_minor = withdrawal.realized_pkr_minor + withdrawal.tax_withheld_minor
            book = personal_book(user.pk)
            legs = [
                Leg(cash(user, "bank", "PKR"), from_minor(withdrawal.realized_pkr_minor, "PKR")),
                Leg(fx_clearing_account(currency="PKR", book=book), -from_minor(gross_minor, "PKR")),
                Leg(fx_clearing_account(currency=currency, book=book), sent),
                Leg(drawn, -sent),
            ]
            if withdrawal.tax_withheld_minor:
                legs.append(Leg(tax_withheld_account(user), from_minor(withdrawal.tax_withheld_minor, "PKR")))
        try:
            txn = post_transaction(
                legs,
                idempotency_key=f"withdrawal:{withdrawal.pk}:remittance",
                kind=chart.TxnKind.WITHDRAWAL_REMITTANCE,
                memo=memo,
                reference=f"withdrawal:{withdrawal.pk}",
            )
        except LedgerError as error:
            raise BooksError(str(error)) from None
        if sent_carried is not None and withdrawal.realized_pkr_minor is not None:
            entries.append(
                Entry(
                    **{**base, "source": Source.FX},
                    kind=EntryKind.INCOME,
                    amount_minor=0,
                    currency=currency,
                    pkr_minor=gross_minor - sent_carried,
                    pkr_basis=PkrBasis.REALIZED,
                    fx_rate=(from_minor(gross_minor, "PKR") / sent).quantize(Decimal("0.00000001")),
                    description=_("Exchange gain or loss on withdrawal #%(id)d: realized against the wallet's value")
                    % {"id": withdrawal.pk},
                    fingerprint=f"withdrawal:{withdrawal.pk}:fx",
                    transaction_id=txn.pk,
                )
            )
        if gross_minor is None:
            entries_insert(entries)
            return None  # an FCY payout whose PKR value is not known yet: no PKR remittance to report
        remittance = Remittance.objects.create(
            user=user,
            received_on=today,
            currency=currency,
            amount_minor=sent_minor,
            pkr_net_minor=gross_minor - withdrawal.tax_withheld_minor,
            tax_withheld_minor=withdrawal.tax_withheld_minor,
            from_place=KAMAI_PLACE,
            bank=withdrawal.bank_account.bank_name[:80],
            prc_number=withdrawal.prc_number[:40],
            purpose_code=withdrawal.purpose_code[:8],
            transaction=txn,
            withdrawal=withdrawal,
        )
    entries_insert(entries)
    return remittance
