"""Books benchmark (PostgreSQL): a freelancer with five years of history (100,000 entries in USD, GBP and EUR,
imported as two 50,000-row Payoneer statements), then the annual statement and the tax page render times.

    .venv/bin/python bench/books_import.py            # uses DATABASE_URL, else creates kamai_bench_books_import locally
    .venv/bin/python bench/books_import.py --import-only   # one 50,000-row file and the bulk_create baseline

Targets (issue 7): a 50,000-row import in <= 10 s; the annual statement and the tax page each <= 0.5 s.
Issue 12: at least 5,000 rows/s, reported beside a plain bulk_create of the same 50,000 entries in the same run
(the ratio says what the ledger postings, duplicate checks and parsing cost on top of writing the rows).
"""

import os
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from benchkit import ensure_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://kamai:kamai@127.0.0.1:5432/kamai_bench_books_import")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamai.settings")


def main() -> None:
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    from accounts.tests.factories import FreelancerProfileFactory
    from books.imports import statement_import_create
    from ledger.models import ExchangeRate

    print(f"load average at start: {os.getloadavg()[0]:.1f}")  # float-ok: display only
    stamp = int(time.time())
    user = FreelancerProfileFactory(user__email=f"bench{stamp}@example.com", slug=f"bench-{stamp}").user
    start = date(2021, 7, 1)
    day = start
    while day <= date(2026, 6, 30):
        for currency, rate in (("USD", "280.25"), ("GBP", "355.10"), ("EUR", "302.40")):
            ExchangeRate.objects.get_or_create(base_currency=currency, rate_date=day, source="sbp",
                                               defaults={"rate": Decimal(rate)})  # fmt: skip
        day += timedelta(days=7)
    currencies = ["USD", "USD", "GBP", "EUR"]
    clients = [f"Client {n}" for n in range(40)]
    timings = []
    days = (date(2026, 6, 30) - start).days
    import_only = "--import-only" in sys.argv
    for part in range(1 if import_only else 2):
        lines = ["Date,Description,Amount,Currency,Status,Transaction ID"]
        for n in range(50_000):
            i = part * 50_000 + n
            on = start + timedelta(days=i * days // 100_000)
            if i % 10 == 9:
                lines.append(f"{on:%d %b %Y},Service fee,-{(i % 7) + 1}.50,{currencies[i % 4]},Completed,B{stamp}-{i}")
            else:
                amount = f"{50 + i % 900}.{i % 100:02d}"
                lines.append(
                    f"{on:%d %b %Y},Payment from {clients[i % 40]},{amount},{currencies[i % 4]},Completed,B{stamp}-{i}"
                )
        data = "\n".join(lines).encode()
        with override_settings(BOOKS_IMPORT_BACKGROUND_ROWS=10**9):
            began = time.perf_counter()
            imp = statement_import_create(
                user=user, source_format="payoneer", upload=SimpleUploadedFile("bench.csv", data)
            )
            timings.append(time.perf_counter() - began)
        assert imp.status == "done", imp.errors[:5]
        rate = imp.created_count / timings[-1]
        print(f"import {part + 1}: {imp.created_count:,} rows in {timings[-1]:.2f} s ({rate:,.0f} rows/s)")
        if part == 0:
            baseline = bulk_create_baseline(user)
            rows = imp.created_count
            print(f"plain bulk_create of the same {rows:,} entries: {baseline:.2f} s ({rows / baseline:,.0f} rows/s)")
            print(f"import / bulk_create: {timings[-1] / baseline:.1f}")
    if import_only:
        return
    client = Client()
    client.force_login(user)
    pages = [
        ("annual statement 2025-26", "/tax/statement/2025-26/"),
        ("tax page 2025-26", "/tax/?year=2025-26"),
        ("books page", "/books/"),
    ]
    for label, url in pages:
        runs = []
        for _ in range(5):
            began = time.perf_counter()
            response = client.get(url, HTTP_HOST="localhost")
            runs.append(time.perf_counter() - began)
            assert response.status_code == 200, response.status_code
        print(f"{label}: median {statistics.median(runs) * 1000:.0f} ms, worst {max(runs) * 1000:.0f} ms")
    began = time.perf_counter()
    response = client.get("/tax/statement/2025-26/pdf/", HTTP_HOST="localhost")
    print(f"annual statement PDF: {(time.perf_counter() - began) * 1000:.0f} ms ({len(response.content):,} bytes)")


def bulk_create_baseline(user):
    """Seconds for Entry.objects.bulk_create (batches of 1,000) of copies of the entries just imported, with no
    ledger, parsing or duplicate check; rolled back so the history stays as the import left it."""
    from django.db import transaction

    from books.models import Entry

    copies = []
    for entry in Entry.objects.filter(user=user).order_by("id")[:50_000].iterator(chunk_size=5000):
        entry.pk, entry.transaction_id, entry.statement_import_id = None, None, None
        entry.fingerprint = f"baseline:{entry.fingerprint}"[:64]
        copies.append(entry)
    with transaction.atomic():
        began = time.perf_counter()
        Entry.objects.bulk_create(copies, batch_size=1000)
        elapsed = time.perf_counter() - began
        transaction.set_rollback(True)
    return elapsed


if __name__ == "__main__":
    main()
