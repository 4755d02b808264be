"""Books and tax pages that do not grow with history (issue 10, item 8), on PostgreSQL.

Two freelancers, one with 1,000 and one with 100,000 book entries (income in USD, GBP and PKR from 40 clients,
expenses in every category, transfers; spread over the previous and the current fiscal year), written fast with
bulk_create (no ledger transactions: the pages read only the books). Then GET /books/ and GET /tax/ for both,
with the test client in this one process, interleaved (small, large, small, large...), after a warm-up.
Prints median and p95 per page and user, the ratio large/small, and the load average; exits 1 if a ratio
exceeds 1.5.

    .venv/bin/python bench/books.py              # DATABASE_URL if PostgreSQL, else kamai_bench_books (created)
    .venv/bin/python bench/books.py --queries    # also each query of the large user's pages, slowest first

Seeding happens once; later runs reuse the freelancers. --reseed writes them again.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from benchkit import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://kamai:kamai@127.0.0.1:5432/kamai_bench_books"
SIZES = (1_000, 100_000)
TARGET_RATIO = 1.5
PAGES = ("/books/", "/tax/")
CLIENTS = [f"Client {n}" for n in range(40)]
RATES = {"USD": Decimal("280.25"), "GBP": Decimal("355.10")}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def seed_rates(start: date, end: date) -> None:
    from ledger.models import ExchangeRate

    rows = []
    day = start
    while day <= end:
        for currency, rate in RATES.items():
            wobble = Decimal(day.toordinal() % 50 - 25) / 10
            rows.append(ExchangeRate(base_currency=currency, rate_date=day, source="sbp", rate=rate + wobble))
        day += timedelta(days=1)
    ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def seed_entries(user, count: int, start: date, end: date) -> None:
    """`count` entries for `user`, about 70% income, 20% expenses and 10% transfers, one in a thousand without
    a rate yet. Valued at the rates seed_rates wrote, as books.projection would."""
    from books.models import Entry, EntryKind, ExpenseCategory, Origin, PkrBasis, Source
    from books.month_totals import entries_insert
    from books.rates import RateBook
    from ledger.money import from_minor

    rng = random.Random(count)
    rates = RateBook(RATES)
    span = (end - start).days
    categories = ExpenseCategory.values
    sources = [Source.PAYONEER, Source.WISE, Source.UPWORK, Source.MANUAL]
    rows = []
    for n in range(count):
        on = start + timedelta(days=n * span // count)
        roll = rng.random()
        entry = Entry(user=user, origin=Origin.BOOKS, occurred_on=on, fingerprint=f"bench:{n}", description="bench")
        if roll < 0.7:
            entry.kind, entry.client = EntryKind.INCOME, rng.choice(CLIENTS)
            entry.currency = rng.choice(["USD", "USD", "GBP", "PKR"])
            entry.source = rng.choice(sources)
            entry.amount_minor = rng.randint(5_000, 200_000) * (280 if entry.currency == "PKR" else 1)
            if entry.currency == "PKR" and rng.random() < 0.5:
                entry.tax_withheld_minor = entry.amount_minor // 10
        elif roll < 0.9:
            entry.kind, entry.category, entry.currency = EntryKind.EXPENSE, rng.choice(categories), "PKR"
            entry.amount_minor = rng.randint(50_000, 5_000_000)
        else:
            entry.kind, entry.currency, entry.place = EntryKind.TRANSFER, "USD", "payoneer"
            entry.amount_minor = rng.randint(10_000, 500_000)
        if entry.currency == "PKR":
            entry.pkr_minor, entry.pkr_basis = entry.amount_minor, PkrBasis.PKR
        elif rng.random() < 0.001:
            entry.pkr_basis = PkrBasis.MISSING
        else:
            amount = from_minor(entry.amount_minor, entry.currency)
            entry.pkr_minor, entry.fx_rate = rates.pkr_minor(amount, entry.currency, on)
            entry.pkr_basis = PkrBasis.REFERENCE
        rows.append(entry)
    entries_insert(rows, batch_size=5000)


def freelancers(reseed: bool) -> list:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from accounts.tests.factories import FreelancerProfileFactory
    from books.models import Entry, MonthTotal
    from tax.rules import fiscal_year

    today = timezone.localdate()
    start = fiscal_year(fiscal_year(today).starts - timedelta(days=1)).starts
    users = []
    for size in SIZES:
        email = f"books-{size}@bench.kamai"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = FreelancerProfileFactory(user__email=email, slug=f"bench-books-{size}").user
        have = Entry.objects.filter(user=user).count()
        if reseed or have != size:
            began = time.perf_counter()
            with transaction.atomic():
                Entry.objects.filter(user=user).delete()
                MonthTotal.objects.filter(user=user).delete()
                seed_rates(start, today)
                seed_entries(user, size, start, today)
            print(f"seeded {size:,} entries ({start} to {today}) in {time.perf_counter() - began:.1f} s")
        users.append(user)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE books_entry, books_monthtotal")
    return users


def show_queries(client, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, HTTP_HOST="localhost")
    total = sum(Decimal(q["time"]) for q in captured.captured_queries)
    print(f"-- {url}: {len(captured.captured_queries)} queries, {total * 1000:.1f} ms in the database")
    for query in sorted(captured.captured_queries, key=lambda q: -Decimal(q["time"]))[:8]:
        print(f"   {Decimal(query['time']) * 1000:6.1f} ms  {query['sql'][:160]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page and freelancer (default 30)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--queries", action="store_true", help="print the large freelancer's queries per page")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = DEFAULT_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamai.settings")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    small, large = freelancers(args.reseed)
    clients = []
    for user in (small, large):
        client = Client()
        client.force_login(user)
        clients.append(client)
    load_start = os.getloadavg()
    timings: dict[tuple[str, int], list[float]] = {(url, i): [] for url in PAGES for i in range(2)}
    for run in range(args.warmup + args.runs):
        for url in PAGES:
            for i, client in enumerate(clients):
                began = time.perf_counter()
                response = client.get(url, HTTP_HOST="localhost")
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200, (url, response.status_code)
                if run >= args.warmup:
                    timings[(url, i)].append(elapsed)
    load_end = os.getloadavg()
    print(f"PostgreSQL, {args.runs} runs per page and freelancer after {args.warmup} warm-up, interleaved")
    print(f"{'page':<10}{'1k p50':>9}{'1k p95':>9}{'100k p50':>10}{'100k p95':>10}{'ratio p50':>11}{'ratio p95':>11}")
    worst = 0.0
    for url in PAGES:
        a, b = timings[(url, 0)], timings[(url, 1)]
        ratio, ratio95 = statistics.median(b) / statistics.median(a), percentile(b, 0.95) / percentile(a, 0.95)
        worst = max(worst, ratio)
        print(
            f"{url:<10}{statistics.median(a):9.1f}{percentile(a, 0.95):9.1f}{statistics.median(b):10.1f}"
            f"{percentile(b, 0.95):10.1f}{ratio:11.2f}{ratio95:11.2f}"
        )
    print(f"load average: {load_start[0]:.2f} at start, {load_end[0]:.2f} at end (1 min; {os.cpu_count()} CPUs)")
    print(f"worst median ratio 100k/1k: {worst:.2f} (target <= {TARGET_RATIO})")
    if args.queries:
        for url in PAGES:
            show_queries(clients[1], url)
    return 1 if worst > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
