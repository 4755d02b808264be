"""Reads of the books: entries, PKR totals by month, client, currency and category, budget actuals,
remittances with their foreign-currency retention, and the 90-day cash-flow forecast. Sums are done by the
database in integer paisa; Decimal appears only for display."""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from books.models import (
    Budget,
    Entry,
    EntryKind,
    ExpenseCategory,
    ImportStatus,
    MonthTotal,
    Origin,
    PkrBasis,
    RecurringItem,
    Remittance,
    StatementImport,
)
from books.rates import RateBook
from contracts.selectors import expected_releases
from invoicing.models import Client
from ledger import chart
from ledger.models import Account, personal_book, sum_minor
from ledger.money import from_minor, quantize


def entries(*, user, start: date | None = None, end: date | None = None, kind: str = "") -> QuerySet[Entry]:
    qs = Entry.objects.filter(user=user)
    if start:
        qs = qs.filter(occurred_on__gte=start)
    if end:
        qs = qs.filter(occurred_on__lte=end)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-occurred_on", "-id")


def removable(entry: Entry) -> bool:
    """Only what the freelancer typed in by hand is removed here; the rest is corrected where it came from."""
    return (
        entry.origin == Origin.BOOKS
        and entry.transaction_id is not None
        and entry.statement_import_id is None
        and entry.reverses_id is None
    )


def own_entry(*, user, pk: int) -> Entry:
    return Entry.objects.get(user=user, pk=pk)


# --- Sums: whole months from MonthTotal, the days around them from the entries ---------------------------

GROUPS = ("month", "kind", "currency", "source", "category", "client")


def _entry_sums(*, user, start, end, kind, exclude_kind, foreign, group) -> list[dict]:
    qs = entries(user=user, start=start, end=end, kind=kind).order_by()
    if exclude_kind:
        qs = qs.exclude(kind=exclude_kind)
    if foreign is not None:
        qs = qs.exclude(currency="PKR") if foreign else qs.filter(currency="PKR")
    if "month" in group:
        qs = qs.annotate(month=TruncMonth("occurred_on"))
    return _grouped(
        qs,
        group,
        amount=sum_minor("amount_minor"),
        pkr=sum_minor("pkr_minor"),
        withheld=sum_minor("tax_withheld_minor"),
        count=Count("id"),
        missing=Count("id", filter=Q(pkr_basis=PkrBasis.MISSING)),
    )


def _grouped(qs, group: tuple[str, ...], **sums) -> list[dict]:
    if not group:  # values() without names would group by every column
        return [qs.aggregate(**sums)]
    return list(qs.values(*group).annotate(**sums))


def _month_sums(*, user, first, last, kind, exclude_kind, foreign, group) -> list[dict]:
    qs = MonthTotal.objects.filter(user=user)
    if first:
        qs = qs.filter(month__gte=first)
    if last:
        qs = qs.filter(month__lte=last)
    if kind:
        qs = qs.filter(kind=kind)
    if exclude_kind:
        qs = qs.exclude(kind=exclude_kind)
    if foreign is not None:
        qs = qs.exclude(currency="PKR") if foreign else qs.filter(currency="PKR")
    return _grouped(
        qs.order_by(),
        group,
        amount=sum_minor("amount_minor"),
        pkr=sum_minor("pkr_minor"),
        withheld=sum_minor("withheld_minor"),
        count=sum_minor("entries"),
        missing=sum_minor("missing"),
    )


def sums(
    *,
    user,
    start: date | None = None,
    end: date | None = None,
    kind: str = "",
    exclude_kind: str = "",
    foreign: bool | None = None,
    group: tuple[str, ...] = (),
) -> list[dict]:
    """The user's entries from start to end (inclusive; None: unbounded) summed by `group` (names from GROUPS):
    each row has the group's values and amount, pkr, withheld (minor units), count and missing (entries without
    a PKR value yet). Exactly a GROUP BY over the entries, read from MonthTotal for the whole months in the
    range, so a page costs the same with ten years of history as with one; amount is only meaningful when
    grouped by currency."""
    assert set(group) <= set(GROUPS), group
    filters = {"kind": kind, "exclude_kind": exclude_kind, "foreign": foreign, "group": group}
    first = start if start is None or start.day == 1 else month_end(start) + timedelta(days=1)
    # The first day after the months summed whole.
    stop = None if end is None else (end + timedelta(days=1) if end == month_end(end) else end.replace(day=1))
    parts = []
    if first is not None and stop is not None and first >= stop:
        parts += _entry_sums(user=user, start=start, end=end, **filters)
    else:
        last = None if stop is None else (stop - timedelta(days=1)).replace(day=1)
        parts += _month_sums(user=user, first=first, last=last, **filters)
        if start is not None and start < first:
            parts += _entry_sums(user=user, start=start, end=first - timedelta(days=1), **filters)
        if end is not None and stop <= end:
            parts += _entry_sums(user=user, start=stop, end=end, **filters)
    merged: dict[tuple, dict] = {}
    for row in parts:
        if "month" in row and hasattr(row["month"], "date"):
            row["month"] = row["month"].date()
        key = tuple(row[name] for name in group)
        if key in merged:
            for name in ("amount", "pkr", "withheld", "count", "missing"):
                merged[key][name] += row[name]
        else:
            merged[key] = row
    return [row for row in merged.values() if row["count"]]


def sums_total(**filters) -> dict:
    """sums() without a group: one row, zeros when there are no entries."""
    rows = sums(**filters)
    return rows[0] if rows else {"amount": 0, "pkr": 0, "withheld": 0, "count": 0, "missing": 0}


def entry_count(*, user, kind: str = "", start: date | None = None, end: date | None = None) -> int:
    """How many entries selectors.entries() returns, without counting them one by one."""
    return sums_total(user=user, kind=kind, start=start, end=end)["count"]


@dataclass
class Totals:
    income_pkr_minor: int = 0
    expense_pkr_minor: int = 0
    withheld_minor: int = 0
    missing_rate: int = 0
    by_currency: list = field(default_factory=list)

    @property
    def income_pkr(self):
        return from_minor(self.income_pkr_minor, "PKR")

    @property
    def expense_pkr(self):
        return from_minor(self.expense_pkr_minor, "PKR")

    @property
    def net_pkr(self):
        return from_minor(self.income_pkr_minor - self.expense_pkr_minor, "PKR")


def totals(*, user, start: date, end: date) -> Totals:
    rows = sums(user=user, start=start, end=end, exclude_kind=EntryKind.TRANSFER, group=("kind", "currency"))
    result = Totals()
    for row in sorted(rows, key=lambda r: (r["kind"], r["currency"])):
        if row["kind"] == EntryKind.INCOME:
            result.income_pkr_minor += row["pkr"]
            result.withheld_minor += row["withheld"]
        else:
            result.expense_pkr_minor += row["pkr"]
        result.missing_rate += row["missing"]
        result.by_currency.append(
            {
                "kind": row["kind"],
                "currency": row["currency"],
                "amount": from_minor(row["amount"], row["currency"]),
                "pkr": from_minor(row["pkr"], "PKR"),
            }
        )
    return result


def month_starts(start: date, count: int) -> list[date]:
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def monthly_income_by_currency(*, user, months: list[date]) -> dict[str, list[int]]:
    """PKR paisa of income per currency per month (months: first days, in order)."""
    if not months:
        return {}
    rows = sums(
        user=user, start=months[0], end=month_end(months[-1]), kind=EntryKind.INCOME, group=("month", "currency")
    )
    position = {m: i for i, m in enumerate(months)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for row in rows:
        series[row["currency"]][position[row["month"].replace(day=1)]] += row["pkr"]
    return dict(sorted(series.items()))


def monthly_expenses(*, user, months: list[date]) -> list[int]:
    if not months:
        return []
    rows = sums(user=user, start=months[0], end=month_end(months[-1]), kind=EntryKind.EXPENSE, group=("month",))
    position = {m: i for i, m in enumerate(months)}
    values = [0] * len(months)
    for row in rows:
        values[position[row["month"].replace(day=1)]] += row["pkr"]
    return values


def income_by(*, user, start: date, end: date, field_name: str) -> list[dict]:
    """Income grouped by 'client', 'source' or 'currency': amount in its currency and PKR."""
    rows = sums(
        user=user, start=start, end=end, kind=EntryKind.INCOME, group=tuple(dict.fromkeys((field_name, "currency")))
    )
    return [
        {
            "key": row[field_name] or "—",
            "currency": row["currency"],
            "amount": from_minor(row["amount"], row["currency"]),
            "pkr": from_minor(row["pkr"], "PKR"),
            "pkr_minor": row["pkr"],
            "count": row["count"],
        }
        for row in sorted(rows, key=lambda r: -r["pkr"])
    ]


def expenses_by_category(*, user, start: date, end: date) -> list[dict]:
    rows = sums(user=user, start=start, end=end, kind=EntryKind.EXPENSE, group=("category",))
    labels = dict(ExpenseCategory.choices)
    return [
        {
            "category": row["category"],
            "label": labels.get(row["category"], row["category"]),
            "pkr": from_minor(row["pkr"], "PKR"),
            "pkr_minor": row["pkr"],
            "count": row["count"],
        }
        for row in sorted(rows, key=lambda r: -r["pkr"])
    ]


def budget_actuals(*, user, month: date) -> list[dict]:
    spent = {
        row["category"]: row["pkr_minor"] for row in expenses_by_category(user=user, start=month, end=month_end(month))
    }
    budgets = {b.category: b.monthly_pkr_minor for b in Budget.objects.filter(user=user)}
    lines = []
    for value, label in ExpenseCategory.choices:
        budget, actual = budgets.get(value, 0), spent.get(value, 0)
        lines.append(
            {
                "category": value,
                "label": label,
                "budget": from_minor(budget, "PKR"),
                "budget_minor": budget,
                "actual": from_minor(actual, "PKR"),
                "actual_minor": actual,
                "over": bool(budget) and actual > budget,
                "percent": actual * 100 // budget if budget else None,
            }
        )
    return lines


# --- Remittances and foreign-currency retention ---------------------------------------------------------


def remittances(*, user, start: date | None = None, end: date | None = None) -> QuerySet[Remittance]:
    qs = Remittance.objects.filter(user=user)
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    return qs.order_by("-received_on", "-id")


# --- Cash-flow forecast ---------------------------------------------------------------------------------


@dataclass
class ForecastItem:
    on: date
    label: str
    pkr_minor: int
    basis: str

    @property
    def pkr(self):
        return from_minor(self.pkr_minor, "PKR")


def _payment_history(user) -> dict[str, Decimal]:
    """Share of each direct client's invoiced amounts that has been paid, from their receivable postings."""
    book = personal_book(user.pk)
    history = {}
    prefix = chart.personal_prefix(user.pk, chart.Role.RECEIVABLE)
    for account in Account.objects.filter(book=book, code__startswith=prefix).annotate(
        invoiced=sum_minor("postings__amount_minor", filter=Q(postings__amount_minor__gt=0)),
        paid=sum_minor("postings__amount_minor", filter=Q(postings__amount_minor__lt=0)),
    ):
        client = chart.parse(account.code).detail
        if account.invoiced:
            history[account.code] = (client, Decimal(-account.paid) / Decimal(account.invoiced), account)
    names = client_names({code: client for code, (client, _share, _account) in history.items()})
    return {code: (names[code], share, account) for code, (_client, share, account) in history.items()}


def client_names(by_key: dict) -> dict:
    """Replace invoicing client ids (from receivable account codes) with the clients' names."""

    ids = {int(value) for value in by_key.values() if str(value).isdigit()}
    names = dict(Client.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {key: names.get(int(value), value) if str(value).isdigit() else value for key, value in by_key.items()}


def forecast(*, user, today: date, days: int = 90) -> list[ForecastItem]:
    """Expected PKR in and out over the next `days`: invoices outstanding (weighted by the client's payment
    history), expected releases from contracts (when that app offers them), recurring items, and the
    month's budgets as spending. Estimates, in PKR at today's reference rates."""
    end = today + timedelta(days=days)
    items: list[ForecastItem] = []
    rates = RateBook(["USD", "EUR", "GBP", "AED", "SAR", "CAD", "AUD"], until=today)

    def pkr(amount: Decimal, currency: str) -> int | None:
        value, _rate = rates.pkr_minor(amount, currency, today)
        return value

    for _code, (client, paid_share, account) in _payment_history(user).items():
        outstanding = account.balance
        if outstanding > 0:
            weight = min(paid_share, Decimal(1))
            value = pkr(quantize(outstanding * weight, account.currency), account.currency)
            if value:
                items.append(
                    ForecastItem(
                        today + timedelta(days=30),
                        _("Invoices due from %(client)s") % {"client": client},
                        value,
                        _("%(share)d%% paid so far") % {"share": int(weight * 100)},
                    )
                )

    for on, label, amount, currency in expected_releases(freelancer=user, until=end):
        value = pkr(amount, currency)
        if value:
            items.append(ForecastItem(on, label, value, _("milestone in escrow")))
    for item in RecurringItem.objects.filter(user=user):
        value = pkr(item.amount, item.currency)
        if not value:
            continue
        for month in month_starts(today.replace(day=1), 4):
            on = month.replace(day=item.day_of_month)
            if today <= on <= end:
                sign = 1 if item.kind == EntryKind.INCOME else -1
                items.append(ForecastItem(on, item.label, sign * value, _("recurring")))
    budgeted = sum(Budget.objects.filter(user=user).values_list("monthly_pkr_minor", flat=True))
    if budgeted:
        for month in month_starts(today.replace(day=1), 4)[1:]:
            if month <= end:
                items.append(ForecastItem(month, _("Budgeted expenses"), -budgeted, _("budget")))
    return sorted(items, key=lambda i: i.on)


def forecast_weeks(items: list[ForecastItem], *, today: date, opening_minor: int, weeks: int = 13) -> list[dict]:
    """Weekly inflow, outflow and running balance from an opening PKR balance."""
    result, balance = [], opening_minor
    for week in range(weeks):
        start = today + timedelta(days=7 * week)
        stop = start + timedelta(days=7)
        inflow = sum(i.pkr_minor for i in items if start <= i.on < stop and i.pkr_minor > 0)
        outflow = -sum(i.pkr_minor for i in items if start <= i.on < stop and i.pkr_minor < 0)
        balance += inflow - outflow
        result.append({"start": start, "in": inflow, "out": outflow, "balance": balance})
    return result


def pkr_cash_minor(*, user) -> int:
    """PKR the freelancer holds now: personal cash:*:PKR accounts and the Kamai PKR wallet."""
    book = personal_book(user.pk)
    total = 0
    for account in Account.objects.filter(owner=user, currency="PKR").filter(
        Q(book=book, code__startswith=chart.personal_prefix(user.pk, chart.Role.CASH))
        | Q(code=chart.freelancer_wallet(user.pk, "PKR").code)
    ):
        total += account.natural_balance_minor
    return total


# A background import posts a batch of rows every few seconds; one that has not advanced for this long
# lost its worker (killed, redeployed) and will not finish by itself.
IMPORT_STALL_MINUTES = 10


def import_resume_key(import_id: int) -> str:
    return f"books:import:{import_id}:resumed_at"


def statement_import_last_progress(imp):
    """When a background import last showed life: its newest entry, its upload, or its last resume."""
    from django.core.cache import cache
    from django.db.models import Max

    newest = imp.entries.filter(user_id=imp.user_id).aggregate(newest=Max("created_at"))["newest"]
    moments = [imp.created_at, newest, cache.get(import_resume_key(imp.pk))]
    return max(moment for moment in moments if moment is not None)


def statement_import_stalled(imp, *, now=None) -> bool:
    """Queued or running in the background, with no progress for IMPORT_STALL_MINUTES."""
    from django.utils import timezone

    if not imp.background or imp.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return False
    now = now or timezone.now()
    return statement_import_last_progress(imp) < now - timedelta(minutes=IMPORT_STALL_MINUTES)


def stalled_statement_imports(*, now=None) -> list:

    candidates = StatementImport.objects.filter(
        background=True, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).select_related("user")
    return [imp for imp in candidates if statement_import_stalled(imp, now=now)]
