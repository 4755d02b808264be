"""MonthTotal is a read model of Entry: after any mix of writes it equals a GROUP BY over the entries, and the
selectors that read it give what the entries give for any range of days."""

from datetime import date
from decimal import Decimal as D

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from books import selectors, services
from books.imports import statement_import_create
from books.models import Entry, MonthTotal, PkrBasis
from books.projection import price_missing_entries
from books.tests.conftest import sample
from ledger.models import ExchangeRate, sum_minor

KEY = ("user_id", "month", "kind", "currency", "source", "category", "client")


def grouped_entries() -> dict:
    rows = (
        Entry.objects.annotate(month=TruncMonth("occurred_on"))
        .values(*KEY)
        .annotate(
            n=Count("id"),
            amount=sum_minor("amount_minor"),
            pkr=sum_minor("pkr_minor"),
            withheld=sum_minor("tax_withheld_minor"),
            unpriced=Count("id", filter=Q(pkr_basis=PkrBasis.MISSING)),
        )
        .order_by()
    )
    return {tuple(r[k] for k in KEY): (r["n"], r["amount"], r["pkr"], r["withheld"], r["unpriced"]) for r in rows}


def month_totals() -> dict:
    return {
        tuple(getattr(t, k) for k in KEY): (t.entries, t.amount_minor, t.pkr_minor, t.withheld_minor, t.missing)
        for t in MonthTotal.objects.all()
        if t.entries
    }


def test_month_totals_equal_entries_after_mixed_writes(freelancer, rates):
    early = services.expense_record(user=freelancer, occurred_on=date(2025, 1, 2), amount=D("10"), currency="USD",
                                    category="software", idempotency_key="early")  # fmt: skip
    assert early.pkr_basis == PkrBasis.MISSING
    services.income_record(user=freelancer, occurred_on=date(2025, 9, 1), amount=D("100000"), currency="PKR",
                           client="Lahore Co", tax_withheld=D("4000"), idempotency_key="i1")  # fmt: skip
    usd = services.income_record(user=freelancer, occurred_on=date(2025, 8, 14), amount=D("250"), currency="USD",
                                 client="Acme", idempotency_key="i2")  # fmt: skip
    fee = services.expense_record(user=freelancer, occurred_on=date(2025, 7, 15), amount=D("19.99"), currency="USD",
                                  category="software", note="Figma", idempotency_key="e1")  # fmt: skip
    services.expense_correct(user=freelancer, entry=fee, idempotency_key="c1", occurred_on=date(2025, 7, 16),
                             amount=D("21.99"), currency="USD", category="software", note="Figma")  # fmt: skip
    services.entry_reverse(user=freelancer, entry=usd, idempotency_key="r1")
    statement_import_create(user=freelancer, source_format="payoneer", upload=sample("payoneer.csv"))
    services.entry_reverse(user=freelancer, entry=early, idempotency_key="r2")  # reversed while still unpriced
    assert month_totals() == grouped_entries()
    assert Entry.objects.filter(pkr_basis=PkrBasis.MISSING).count() == 2

    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2025, 1, 1), rate=D("278.50"), source="sbp")
    assert price_missing_entries() == 2
    assert month_totals() == grouped_entries()
    assert price_missing_entries() == 0


def test_sums_over_any_range_equal_the_entries(freelancer, rates):
    for n, (on, amount, currency) in enumerate(
        [(date(2025, 6, 30), "10", "USD"), (date(2025, 7, 1), "20", "GBP"), (date(2025, 7, 31), "30", "PKR"),
         (date(2025, 8, 1), "40", "USD"), (date(2025, 9, 15), "50", "PKR"), (date(2025, 10, 31), "60", "USD")]
    ):  # fmt: skip
        services.income_record(user=freelancer, occurred_on=on, amount=D(amount), currency=currency,
                               client=f"C{n % 2}", idempotency_key=f"k{n}")  # fmt: skip
    bounds = [None, date(2025, 6, 30), date(2025, 7, 1), date(2025, 7, 2), date(2025, 8, 1), date(2025, 9, 30)]
    for start in bounds:
        for end in [*bounds[1:], date(2025, 10, 31), None]:
            if start and end and end < start:
                continue
            qs = selectors.entries(user=freelancer, start=start, end=end)
            want = {
                (r["client"], r["currency"]): (r["n"], r["pkr"])
                for r in qs.order_by().values("client", "currency").annotate(n=Count("id"), pkr=sum_minor("pkr_minor"))
            }
            got = {
                (r["client"], r["currency"]): (r["count"], r["pkr"])
                for r in selectors.sums(user=freelancer, start=start, end=end, group=("client", "currency"))
            }
            assert got == want, (start, end)
            assert selectors.entry_count(user=freelancer, start=start, end=end) == qs.count()
