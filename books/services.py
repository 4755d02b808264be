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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.models import (
    Budget,
    Entry,
    EntryKind,
    ExpenseCategory,
    LedgerSync,
    Origin,
    PkrBasis,
    RecurringItem,
    Remittance,
    Source,
)
from books.rates import RateBook
from books.receipts import check_receipt
from contracts.action_keys import claim_action_key
from ledger.errors import LedgerError
from ledger.models import PLATFORM_BOOK, Account, AccountKind, Posting, personal_book
from ledger.money import MINOR_UNITS, MoneyError, from_minor, to_minor
from ledger.services import Leg, fx_clearing_account, personal_account, post_transaction

PLACE_RE = re.compile(r"^[a-z0-9_-]{1,30}$")
MAX_DAYS_AHEAD = 1


def fingerprint(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def ledger_key(user, kind: str, fp: str) -> str:
    return f"books:{user.pk}:{kind}:{fp}"


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
    return personal_account(user=user, path=f"cash:{place}", kind=AccountKind.ASSET, currency=currency)


def income_account(user, source: str, currency: str) -> Account:
    return personal_account(user=user, path=f"income:{source}", kind=AccountKind.INCOME, currency=currency)


def expense_account(user, category: str, currency: str) -> Account:
    return personal_account(user=user, path=f"expense:{category}", kind=AccountKind.EXPENSE, currency=currency)


def tax_withheld_account(user) -> Account:
    return personal_account(user=user, path="tax:withheld", kind=AccountKind.ASSET, currency="PKR")


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
                kind="books_expense",
                memo=note[:255],
                reference=f"books:expense:{occurred_on.isoformat()}",
            )
            entry = Entry.objects.create(
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
                kind="books_income",
                memo=note[:255],
                reference=f"books:income:{occurred_on.isoformat()}",
            )
            return Entry.objects.create(
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
                kind="books_remittance",
                memo=f"{currency} → PKR {bank}"[:255],
                reference=f"prc:{prc_number}"[:120] if prc_number else "",
            )
            entry = None
            if direct:
                entry = Entry.objects.create(
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


# --- Mirroring what other apps posted -------------------------------------------------------------------

# Transactions that move the freelancer's own money around rather than earn or spend it.
NOT_EARNINGS = frozenset({"conversion", "reversal"})
SYNC_OVERLAP = timedelta(hours=1)


def book_sync_from_ledger(*, user) -> int:
    """Mirror into the book what other apps posted for this user: credits to the Kamai wallet (contract
    releases) as income, debits (withdrawals) as transfers, and postings to personal income:/expense:
    accounts (invoices). Reads postings only; posts nothing. Returns how many entries it added."""
    now = timezone.now()
    state = LedgerSync.objects.filter(user=user).first()
    book = personal_book(user.pk)
    accounts = {
        a.pk: a
        for a in Account.objects.filter(owner=user).filter(
            Q(book=PLATFORM_BOOK, code__startswith=f"freelancer:{user.pk}:wallet:")
            | Q(book=book, code__startswith=f"{book}:income:")
            | Q(book=book, code__startswith=f"{book}:expense:")
        )
    }
    added = 0
    if accounts:
        postings = (
            Posting.objects.filter(account_id__in=list(accounts))
            .exclude(transaction__kind__startswith="books_")
            .exclude(transaction__kind__in=NOT_EARNINGS)
            .values_list("id", "account_id", "amount_minor", "posted_at", "transaction_id", "transaction__reference")
        )
        if state is not None:
            postings = postings.filter(posted_at__gte=state.synced_at - SYNC_OVERLAP)
        rows = list(postings)
        if rows:
            known = set(
                Entry.objects.filter(
                    user=user, origin=Origin.LEDGER, fingerprint__in=[f"ledger-posting:{r[0]}" for r in rows]
                ).values_list("fingerprint", flat=True)
            )
            rows = [r for r in rows if f"ledger-posting:{r[0]}" not in known]
        if rows:
            clients = _receivable_clients([r[4] for r in rows])
            rates = RateBook({accounts[r[1]].currency for r in rows})
            new = []
            for posting_id, account_id, amount_minor, posted_at, txn_id, reference in rows:
                account = accounts[account_id]
                on = timezone.localdate(posted_at)
                parts = account.code.split(":")
                if account.book == PLATFORM_BOOK:
                    kind = EntryKind.INCOME if amount_minor < 0 else EntryKind.TRANSFER
                    natural, source, category = abs(amount_minor), Source.KAMAI, ""
                elif parts[2] == "income":
                    kind, natural, category = EntryKind.INCOME, -amount_minor, ""
                    source = Source.INVOICES if parts[3] == "invoices" else Source.MANUAL
                else:
                    kind, natural, source = EntryKind.EXPENSE, amount_minor, Source.MANUAL
                    category = parts[3] if parts[3] in ExpenseCategory.values else ExpenseCategory.OTHER
                amount = from_minor(natural, account.currency)
                if account.currency == "PKR":
                    pkr_minor, basis, rate = natural, PkrBasis.PKR, None
                else:
                    pkr_minor, rate = rates.pkr_minor(amount, account.currency, on)
                    basis = PkrBasis.REFERENCE if rate is not None else PkrBasis.MISSING
                new.append(
                    Entry(
                        user=user,
                        origin=Origin.LEDGER,
                        kind=kind,
                        occurred_on=on,
                        amount_minor=natural,
                        currency=account.currency,
                        pkr_minor=pkr_minor,
                        pkr_basis=basis,
                        fx_rate=rate,
                        category=category,
                        source=source,
                        place="kamai" if account.book == PLATFORM_BOOK else "",
                        client=clients.get(txn_id, ""),
                        description=reference or "",
                        fingerprint=f"ledger-posting:{posting_id}",
                        transaction_id=txn_id,
                    )
                )
            Entry.objects.bulk_create(new, ignore_conflicts=True)
            added = len(new)
    _fill_missing_rates(user)
    LedgerSync.objects.update_or_create(user=user, defaults={"synced_at": now})
    return added


def _receivable_clients(transaction_ids: list[int]) -> dict[int, str]:
    """An invoice's income posting has a receivable:<client id> sibling; that names the client."""
    found = {}
    for txn_id, code in Posting.objects.filter(
        transaction_id__in=transaction_ids, account__code__contains=":receivable:"
    ).values_list("transaction_id", "account__code"):
        parts = code.split(":")
        found[txn_id] = parts[parts.index("receivable") + 1]
    return client_names(found)


def client_names(by_key: dict) -> dict:
    """Replace invoicing client ids (from receivable account codes) with the clients' names."""
    from invoicing.models import Client

    ids = {int(value) for value in by_key.values() if str(value).isdigit()}
    names = dict(Client.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {key: names.get(int(value), value) if str(value).isdigit() else value for key, value in by_key.items()}


def _fill_missing_rates(user) -> None:
    """Entries recorded before the day's rate was published get their PKR value once it is."""
    missing = list(Entry.objects.filter(user=user, pkr_basis=PkrBasis.MISSING))
    if not missing:
        return
    rates = RateBook({e.currency for e in missing})
    changed = []
    for entry in missing:
        pkr_minor, rate = rates.pkr_minor(entry.amount, entry.currency, entry.occurred_on)
        if rate is not None:
            entry.pkr_minor, entry.fx_rate, entry.pkr_basis = pkr_minor, rate, PkrBasis.REFERENCE
            changed.append(entry)
    if changed:
        Entry.objects.bulk_update(changed, ["pkr_minor", "fx_rate", "pkr_basis"])
