"""Every write to the books. Each service validates first (BooksError, nothing saved), then posts balanced
transactions to the ledger with an idempotency key and records the entries, in one database transaction.

Personal-book recipes (MONEY.md):
  expense              expense:<category>:<CUR> +E · cash:<place>:<CUR> −E
  receipt (income)     cash:<place>:<CUR> +X · income:<source>:<CUR> −X   (PKR withheld: tax:withheld:PKR +t)
  transfer out         cash:transit:<CUR> +X · cash:<place>:<CUR> −X     (Payoneer/Wise withdrawal to a bank)
  remittance           cash:bank:PKR +net · tax:withheld:PKR +t · fx:PKR −(net+t); fx:<CUR> +U · <from> −U
where <from> is cash:<place>:<CUR>, or income:direct:<CUR> when the client paid the bank directly.
"""

import hashlib
import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.models import (
    Budget,
    Entry,
    EntryKind,
    ExpenseCategory,
    Origin,
    PkrBasis,
    RecurringItem,
    Remittance,
    Source,
)
from books.month_totals import entries_insert, entry_insert
from books.rates import RateBook
from books.receipts import check_receipt
from books.selectors import removable
from contracts.action_keys import claim_action_key
from ledger import chart
from ledger.errors import LedgerError
from ledger.models import Account, Hold, Transaction, personal_book
from ledger.money import MINOR_UNITS, MoneyError, from_minor, to_minor
from ledger.services import Leg, fx_clearing_account, personal_account, post_transaction, reverse_transaction

PLACE_RE = re.compile(r"^[a-z0-9_-]{1,30}$")
MAX_DAYS_AHEAD = 1


def fingerprint(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def ledger_key(user, kind: str, fp: str) -> str:
    return f"books:{user.pk}:{kind}:{fp}"


def recategorise_reference(entry_id: int) -> str:
    """The reference of every transaction that moved this entry to another expense category."""
    return f"books:entry:{entry_id}:category"


def _check_amount(amount, currency: str) -> int:
    if currency not in MINOR_UNITS:
        raise BooksError(_("Unknown currency %(currency)s.") % {"currency": currency})
    try:
        minor = to_minor(amount, currency)
    except MoneyError as error:
        raise BooksError(str(error)) from None
    if minor <= 0:
        raise BooksError(_("The amount must be more than zero."))
    return minor


def _check_date(on: date) -> None:
    if on > timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD):
        raise BooksError(_("The date %(date)s is in the future.") % {"date": on.isoformat()})


def _check_place(place: str) -> str:
    place = (place or "").strip().lower()
    if not PLACE_RE.match(place):
        raise BooksError(_("Name the account with letters, digits, - or _ (for example payoneer, meezan)."))
    return place


def cash(user, place: str, currency: str) -> Account:
    return personal_account(user=user, spec=chart.cash(user.pk, place, currency))


def income_account(user, source: str, currency: str) -> Account:
    return personal_account(user=user, spec=chart.income(user.pk, source, currency))


def expense_account(user, category: str, currency: str) -> Account:
    return personal_account(user=user, spec=chart.expense(user.pk, category, currency))


def tax_withheld_account(user) -> Account:
    return personal_account(user=user, spec=chart.tax_withheld(user.pk))


def _pkr(amount: Decimal, currency: str, on: date) -> tuple[int | None, str, Decimal | None]:
    if currency == "PKR":
        return to_minor(amount, "PKR"), PkrBasis.PKR, None
    pkr_minor, rate = RateBook([currency], until=on).pkr_minor(amount, currency, on)
    return pkr_minor, (PkrBasis.REFERENCE if rate is not None else PkrBasis.MISSING), rate


def _replayed(user, fp: str) -> Entry | None:
    return Entry.objects.filter(user=user, fingerprint=fp).first()


def _claim(key: str, user, action: str, request: dict) -> bool:
    # The key with this request's fingerprint: a different request under a used key is refused.
    return claim_action_key(key, user=user, action=action, object_id=None, params=request, error=BooksError)


def expense_record(
    *,
    user,
    occurred_on: date,
    amount: Decimal,
    currency: str,
    category: str,
    note: str = "",
    place: str = "cash",
    receipt=None,
    idempotency_key: str,
) -> Entry:
    """Record an expense paid from one of the freelancer's own accounts, with an optional receipt (PDF or
    image, checked by content and size). Posts expense +E, cash −E in the personal book."""
    fp = fingerprint("expense", idempotency_key)
    request = {"on": occurred_on, "amount": amount, "currency": currency, "category": category, "place": place}
    existing = _replayed(user, fp)
    if existing is not None:
        _claim(idempotency_key, user, "expense_record", request)
        return existing
    minor = _check_amount(amount, currency)
    amount = from_minor(minor, currency)
    _check_date(occurred_on)
    place = _check_place(place)
    if category not in ExpenseCategory.values:
        raise BooksError(_("Choose a category."))
    content_type = ext = ""
    if receipt is not None:
        try:
            content_type, ext = check_receipt(receipt)
        except ValidationError as error:
            raise BooksError(error.messages[0]) from None
    pkr_minor, basis, rate = _pkr(amount, currency, occurred_on)
    try:
        with transaction.atomic():
            _claim(idempotency_key, user, "expense_record", request)
            txn = post_transaction(
                [Leg(expense_account(user, category, currency), amount), Leg(cash(user, place, currency), -amount)],
                idempotency_key=ledger_key(user, "expense", fp),
                kind=chart.TxnKind.BOOKS_EXPENSE,
                memo=note[:255],
                reference=f"books:expense:{occurred_on.isoformat()}",
            )
            entry = entry_insert(
                user=user,
                kind=EntryKind.EXPENSE,
                occurred_on=occurred_on,
                amount_minor=minor,
                currency=currency,
                pkr_minor=pkr_minor,
                pkr_basis=basis,
                fx_rate=rate,
                category=category,
                source=Source.MANUAL,
                place=place,
                description=note[:255],
                fingerprint=fp,
                transaction=txn,
                receipt_content_type=content_type,
            )
            if receipt is not None:
                entry.receipt.save(f"receipt-{entry.pk}.{ext}", receipt, save=True)
    except LedgerError as error:
        raise BooksError(str(error)) from None
    return entry


def income_record(
    *,
    user,
    occurred_on: date,
    amount: Decimal,
    currency: str,
    client: str = "",
    note: str = "",
    place: str = "bank",
    tax_withheld: Decimal = Decimal(0),
    idempotency_key: str,
) -> Entry:
    """Record income received into one of the freelancer's own accounts (not through Kamai). A Pakistani
    client's s.153(1)(b) withholding (PKR income only) goes to tax:withheld, credited against the year's tax."""
    fp = fingerprint("income", idempotency_key)
    request = {"on": occurred_on, "amount": amount, "currency": currency, "place": place, "withheld": tax_withheld}
    existing = _replayed(user, fp)
    if existing is not None:
        _claim(idempotency_key, user, "income_record", request)
        return existing
    minor = _check_amount(amount, currency)
    amount = from_minor(minor, currency)
    _check_date(occurred_on)
    place = _check_place(place)
    withheld_minor = 0
    if tax_withheld:
        if currency != "PKR":
            raise BooksError(_("Tax withheld by a Pakistani client applies to PKR income only."))
        withheld_minor = _check_amount(tax_withheld, "PKR")
        if withheld_minor >= minor:
            raise BooksError(_("The tax withheld must be less than the amount."))
    withheld = from_minor(withheld_minor, "PKR")
    legs = [Leg(cash(user, place, currency), amount - withheld), Leg(income_account(user, "direct", currency), -amount)]
    if withheld_minor:
        legs.append(Leg(tax_withheld_account(user), withheld))
    pkr_minor, basis, rate = _pkr(amount, currency, occurred_on)
    try:
        with transaction.atomic():
            _claim(idempotency_key, user, "income_record", request)
            txn = post_transaction(
                legs,
                idempotency_key=ledger_key(user, "income", fp),
                kind=chart.TxnKind.BOOKS_INCOME,
                memo=note[:255],
                reference=f"books:income:{occurred_on.isoformat()}",
            )
            return entry_insert(
                user=user,
                kind=EntryKind.INCOME,
                occurred_on=occurred_on,
                amount_minor=minor,
                currency=currency,
                pkr_minor=pkr_minor,
                pkr_basis=basis,
                fx_rate=rate,
                source=Source.MANUAL,
                place=place,
                client=client[:120],
                description=note[:255],
                tax_withheld_minor=withheld_minor,
                fingerprint=fp,
                transaction=txn,
            )
    except LedgerError as error:
        raise BooksError(str(error)) from None


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


def budget_set(*, user, category: str, monthly_pkr: Decimal) -> Budget | None:
    """Set (or clear, with zero) the monthly PKR budget for an expense category."""
    if category not in ExpenseCategory.values:
        raise BooksError(_("Choose a category."))
    try:
        minor = to_minor(monthly_pkr, "PKR")
    except MoneyError as error:
        raise BooksError(str(error)) from None
    if minor < 0:
        raise BooksError(_("A budget cannot be negative."))
    if minor == 0:
        Budget.objects.filter(user=user, category=category).delete()
        return None
    budget, _created = Budget.objects.update_or_create(
        user=user, category=category, defaults={"monthly_pkr_minor": minor}
    )
    return budget


@transaction.atomic
def budgets_set(*, user, amounts: dict[str, Decimal]) -> None:
    """Set every category's monthly budget at once (zero clears one): all of them are saved or none."""
    for category, amount in amounts.items():
        budget_set(user=user, category=category, monthly_pkr=amount)


def recurring_add(
    *, user, kind: str, label: str, amount: Decimal, currency: str, day_of_month: int, category: str = ""
) -> RecurringItem:
    if kind not in (EntryKind.INCOME, EntryKind.EXPENSE):
        raise BooksError(_("Choose income or expense."))
    if not 1 <= day_of_month <= 28:
        raise BooksError(_("Choose a day from 1 to 28."))
    if not label.strip():
        raise BooksError(_("Give it a name."))
    if kind == EntryKind.EXPENSE and category not in ExpenseCategory.values:
        raise BooksError(_("Choose a category."))
    minor = _check_amount(amount, currency)
    return RecurringItem.objects.create(
        user=user,
        kind=kind,
        label=label.strip()[:80],
        category=category if kind == EntryKind.EXPENSE else "",
        amount_minor=minor,
        currency=currency,
        day_of_month=day_of_month,
    )


# --- Corrections and remittances from Kamai withdrawals -------------------------------------------------


def entry_reverse(*, user, entry: Entry, idempotency_key: str) -> Entry:
    """Remove an entry the freelancer recorded by hand: its ledger transaction is reversed, and the reversal's
    entry (the same amounts, negated, on today's date) takes it out of every total. Moves what the original moved,
    back. Entries other apps posted are corrected where they came from (void the invoice, not its entry)."""
    if entry.user_id != user.pk:
        raise BooksError(_("No such entry."))
    if not removable(entry):
        raise BooksError(_("Only an entry you recorded by hand can be removed here."))
    if Entry.objects.filter(reverses=entry).exists():
        raise BooksError(_("This entry has already been removed."))
    try:
        with transaction.atomic():
            # Undo its category changes too (newest first): the reversal's entry takes the entry's current
            # category out of the totals, so the ledger must take the amount out of that category's account.
            moves = Transaction.objects.filter(
                kind=chart.TxnKind.BOOKS_RECATEGORISE, reference=recategorise_reference(entry.pk)
            ).order_by("-id")
            for move in moves:
                key = ledger_key(user, "reverse", fingerprint("category", move.pk, idempotency_key))
                reverse_transaction(original=move, idempotency_key=key)
            reversal = reverse_transaction(
                original=entry.transaction,
                idempotency_key=ledger_key(user, "reverse", fingerprint(entry.pk, idempotency_key)),
                memo=_("Removed: %(note)s") % {"note": entry.description or entry.get_kind_display()},
            )
    except LedgerError as error:
        raise BooksError(str(error)) from None
    return Entry.objects.get(transaction=reversal, reverses=entry)


def expense_correct(*, user, entry: Entry, idempotency_key: str, **values) -> Entry:
    """Correct a hand-recorded expense: reverse it and record the corrected one, in one transaction."""
    with transaction.atomic():
        entry_reverse(user=user, entry=entry, idempotency_key=idempotency_key)
        return expense_record(user=user, idempotency_key=f"correct:{entry.pk}:{idempotency_key}", **values)


def remittance_from_withdrawal(*, withdrawal) -> Remittance | None:
    """A Kamai withdrawal the bank credited becomes the freelancer's remittance, in the database transaction that
    settles it: the amount sent, the realized PKR (or, for a foreign-currency account, the wallet's carrying
    value), the tax the bank withheld, the PRC number and purpose code. The Kamai fee is an expense at the
    wallet's carrying value, and the difference between the realized PKR and the carrying value of what was sent
    is the exchange gain or loss. Personal book: cash:bank:PKR +net · tax:withheld +t · fx:PKR −(net+t);
    fx:<CUR> +S · kamai:wallet:<CUR> −S. Nothing for a PKR wallet but the fee."""
    from books.projection import KAMAI_PLACE

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
