"""The books as a read model of the ledger, written in the same database transaction as the postings.

ledger.services calls `project` for every transaction it writes (books.apps registers it). From the legs
alone it writes the freelancer's book entries for what other apps post:

    credit to a Kamai wallet (release, hourly bill, dispute share)  income, source Kamai
    debit of a Kamai wallet (withdrawal settled)                     transfer, valued at the wallet's carrying PKR
    personal income:<source> / expense:<category>                    income / expense (invoices, credit notes, fees)
    personal fx_gain_loss:PKR (a payment converted at realized PKR)  income, source FX, in the foreign currency
    reversal of any transaction                                      the negation of that transaction's entries

A foreign amount is valued in PKR at the rate the transaction carries (an invoice's frozen rate), else the
reference rate of its day; without one it is marked "missing" and priced once, by a job, when the rate
arrives (`price_missing_entries`). Nothing here runs on a page view. Transactions of the books app's own kinds
(ledger.chart.BOOKS_OWN_KINDS) carry facts only their service knows, so that service writes their entries.
"""

from collections import defaultdict
from copy import copy
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from books.models import Entry, EntryKind, ExpenseCategory, Origin, PkrBasis, Source
from books.month_totals import entries_insert, entries_repriced
from books.rates import RateBook
from books.selectors import client_names
from ledger import chart
from ledger.models import PLATFORM_BOOK, sum_minor
from ledger.money import ROUNDING, convert, to_minor

KAMAI_PLACE = "kamai"
_INCOME_SOURCES = {"invoices": Source.INVOICES, "late_fees": Source.INVOICES, "direct": Source.MANUAL}


def wants(legs, kind: str) -> bool:
    """Whether a transaction can make book entries: a reversal (of anything), or one touching an account that
    belongs to someone (a wallet, a personal account), unless its own service writes its entries."""
    if kind == chart.TxnKind.REVERSAL:
        return True
    if kind in chart.BOOKS_OWN_KINDS:
        return False
    return any(
        account.book != PLATFORM_BOOK or (account.owner_id and chart.parse(account.code).role == chart.Role.WALLET)
        for account, _minor in legs
    )


def project(posted) -> None:
    """Write the book entries for these just-posted transactions (ledger.services.Posted)."""
    new: list[Entry] = []
    reversals = [p for p in posted if p.transaction.kind == chart.TxnKind.REVERSAL]
    if reversals:
        new += _negations(reversals)
    skipped = chart.BOOKS_OWN_KINDS | {chart.TxnKind.REVERSAL}
    plain = [p for p in posted if p.transaction.kind not in skipped]
    if plain:
        new += _entries(plain)
    if new:
        entries_insert(new)


def _entries(posted) -> list[Entry]:
    entries: list[Entry] = []
    clients: dict[int, str] = {}
    for item in posted:
        txn = item.transaction
        on = timezone.localdate(txn.created_at)
        currencies = {account.currency for account, _minor in item.legs}
        for account, minor in item.legs:
            code = chart.parse(account.code)
            if code.role == chart.Role.RECEIVABLE:
                clients[txn.pk] = code.detail
            user_id = chart.person_id(account, code)
            if user_id is None:
                continue
            base = {"user_id": user_id, "occurred_on": on, "transaction_id": txn.pk}
            if account.book == PLATFORM_BOOK and code.role == chart.Role.WALLET:
                if minor < 0:
                    entries.append(
                        _entry(base, EntryKind.INCOME, -minor, account.currency, txn, Source.KAMAI, account.pk)
                    )
                else:
                    transfer = _entry(base, EntryKind.TRANSFER, minor, account.currency, txn, Source.KAMAI, account.pk)
                    _carry(transfer)
                    entries.append(transfer)
                entries[-1].place = KAMAI_PLACE
            elif account.book != PLATFORM_BOOK and code.role == chart.Role.INCOME:
                source = _INCOME_SOURCES.get(code.detail, Source.MANUAL)
                entries.append(_entry(base, EntryKind.INCOME, -minor, account.currency, txn, source, account.pk))
            elif account.book != PLATFORM_BOOK and code.role == chart.Role.EXPENSE:
                entry = _entry(base, EntryKind.EXPENSE, minor, account.currency, txn, Source.MANUAL, account.pk)
                entry.category = code.detail if code.detail in ExpenseCategory.values else ExpenseCategory.OTHER
                entries.append(entry)
            elif account.book != PLATFORM_BOOK and code.role == chart.Role.FX_GAIN_LOSS:
                foreign = sorted(currencies - {"PKR"})
                entry = _entry(base, EntryKind.INCOME, 0, foreign[0] if foreign else "PKR", txn, Source.FX, account.pk)
                entry.pkr_minor, entry.pkr_basis, entry.fx_rate = -minor, PkrBasis.REALIZED, txn.fx_rate
                entries.append(entry)
    if clients:
        names = client_names(clients)
        for entry in entries:
            if entry.transaction_id in names:
                entry.client = str(names[entry.transaction_id])[:120]
    _price(entries)
    return entries


def _entry(base: dict, kind: str, natural_minor: int, currency: str, txn, source: str, account_id: int) -> Entry:
    return Entry(
        **base,
        origin=Origin.LEDGER,
        kind=kind,
        amount_minor=natural_minor,
        currency=currency,
        source=source,
        description=(txn.memo or txn.reference)[:255],
        fingerprint=f"ledger:{txn.pk}:{account_id}",
        # fx_rate on a non-conversion transaction is the rate its PKR value is frozen at (an invoice's).
        fx_rate=txn.fx_rate if txn.kind != chart.TxnKind.CONVERSION else None,
        pkr_basis=PkrBasis.PKR if currency == "PKR" else PkrBasis.MISSING,
    )


def _price(entries: list[Entry]) -> None:
    """PKR value of each new entry: PKR as it is, a carried or frozen value as given, else the day's rate."""
    todo = [e for e in entries if e.pkr_minor is None]
    foreign = [e for e in todo if e.currency != "PKR" and e.fx_rate is None]
    rates = RateBook({e.currency for e in foreign}, until=max((e.occurred_on for e in foreign), default=None))
    for entry in todo:
        if entry.currency == "PKR":
            entry.pkr_minor, entry.pkr_basis = entry.amount_minor, PkrBasis.PKR
        elif entry.fx_rate is not None:
            entry.pkr_minor = to_minor(convert(entry.amount, entry.fx_rate, "PKR"), "PKR")
            entry.pkr_basis = PkrBasis.REFERENCE
        else:
            value, rate = rates.pkr_minor(entry.amount, entry.currency, entry.occurred_on)
            if rate is not None:
                entry.pkr_minor, entry.fx_rate, entry.pkr_basis = value, rate, PkrBasis.REFERENCE


def carrying_pkr_minor(*, user_id: int, currency: str, amount_minor: int) -> int | None:
    """The PKR value at which `amount_minor` leaves the Kamai wallet: the wallet's average PKR cost (income
    valued when it arrived, less what earlier withdrawals carried out). None when part of it has no rate."""
    rows = (
        Entry.objects.filter(user_id=user_id, place=KAMAI_PLACE, currency=currency)
        .filter(Q(kind=EntryKind.INCOME) | Q(kind=EntryKind.TRANSFER))
        .exclude(source=Source.FX)
        .values("kind")
        .annotate(amount=sum_minor("amount_minor"), pkr=sum_minor("pkr_minor"))
        .order_by()
    )
    totals = {row["kind"]: row for row in rows}
    income = totals.get(EntryKind.INCOME, {"amount": 0, "pkr": 0})
    out = totals.get(EntryKind.TRANSFER, {"amount": 0, "pkr": 0})
    held = income["amount"] - out["amount"]
    if held <= 0:
        return None
    if Entry.objects.filter(user_id=user_id, place=KAMAI_PLACE, currency=currency, pkr_basis=PkrBasis.MISSING).exists():
        return None
    value = Decimal(income["pkr"] - out["pkr"]) * Decimal(amount_minor) / Decimal(held)
    return int(value.quantize(Decimal(1), rounding=ROUNDING))


def _carry(transfer: Entry) -> None:
    if transfer.currency == "PKR":
        return
    value = carrying_pkr_minor(user_id=transfer.user_id, currency=transfer.currency, amount_minor=transfer.amount_minor)
    if value is not None:
        transfer.pkr_minor, transfer.pkr_basis = value, PkrBasis.REFERENCE


def _negations(reversals) -> list[Entry]:
    """A reversal undoes its original's entries exactly, PKR included, on the day it is posted."""
    by_original = {p.transaction.reverses_id: p.transaction for p in reversals}
    negated = []
    for original in Entry.objects.filter(transaction_id__in=list(by_original)).order_by("id"):
        txn = by_original[original.transaction_id]
        negated.append(
            Entry(
                user_id=original.user_id,
                origin=Origin.LEDGER,
                kind=original.kind,
                occurred_on=timezone.localdate(txn.created_at),
                amount_minor=-original.amount_minor,
                currency=original.currency,
                pkr_minor=None if original.pkr_minor is None else -original.pkr_minor,
                pkr_basis=original.pkr_basis,
                fx_rate=original.fx_rate,
                category=original.category,
                source=original.source,
                place=original.place,
                client=original.client,
                description=(txn.memo or f"Reversal of entry {original.pk}")[:255],
                tax_withheld_minor=-original.tax_withheld_minor,
                fingerprint=f"reversal:{txn.pk}:{original.pk}",
                transaction_id=txn.pk,
                reverses_id=original.pk,
            )
        )
    return negated


def price_missing_entries(*, today: date | None = None) -> int:
    """Give every entry recorded before its day's rate was published its PKR value, once the rate is there.
    The job runs on a schedule and after a rate import; a reversal takes the value its original got."""
    with transaction.atomic():
        missing = list(Entry.objects.select_for_update().filter(pkr_basis=PkrBasis.MISSING).order_by("id")[:5000])
        if not missing:
            return 0
        before = {entry.pk: copy(entry) for entry in missing}
        repriced = _price_missing(missing)
        entries_repriced([before[entry.pk] for entry in repriced], repriced)
    return len(repriced)


def _price_missing(missing: list[Entry]) -> list[Entry]:
    rates = RateBook({e.currency for e in missing})
    changed = []
    originals: dict[int, list[Entry]] = defaultdict(list)
    for entry in missing:
        if entry.reverses_id:
            originals[entry.reverses_id].append(entry)
            continue
        if entry.kind == EntryKind.TRANSFER and entry.place == KAMAI_PLACE:
            continue  # priced with the wallet's carrying value once its income has rates (below)
        pkr_minor, rate = rates.pkr_minor(entry.amount, entry.currency, entry.occurred_on)
        if rate is not None:
            entry.pkr_minor, entry.fx_rate, entry.pkr_basis = pkr_minor, rate, PkrBasis.REFERENCE
            changed.append(entry)
    if changed:
        Entry.objects.bulk_update(changed, ["pkr_minor", "fx_rate", "pkr_basis"])
    for entry in missing:
        if entry.kind == EntryKind.TRANSFER and entry.place == KAMAI_PLACE and not entry.reverses_id:
            _carry(entry)
            if entry.pkr_basis != PkrBasis.MISSING:
                entry.save(update_fields=["pkr_minor", "pkr_basis"])
                changed.append(entry)
    priced = {e.pk: e for e in Entry.objects.filter(pk__in=list(originals)).exclude(pkr_basis=PkrBasis.MISSING)}
    negations = []
    for original_id, entries in originals.items():
        if original_id in priced:
            for entry in entries:
                entry.pkr_minor = -priced[original_id].pkr_minor
                entry.fx_rate, entry.pkr_basis = priced[original_id].fx_rate, priced[original_id].pkr_basis
                negations.append(entry)
    if negations:
        Entry.objects.bulk_update(negations, ["pkr_minor", "fx_rate", "pkr_basis"])
    return changed + negations
