"""Ledger benchmark (`make bench`; never part of `make test`).

Posts N two-leg transfers between no-negative wallets with K concurrent worker threads, first one
post_transaction call per transfer, then through the batch API (post_transactions), reports
throughput and p50/p99 latency for each, then runs `manage.py ledger_check`.

With --peer pgledger it runs beside pgledger instead, on the same server, interleaved (bench/ledgerpeer.py):

    .venv/bin/python bench/ledger.py --peer pgledger             # 8 and 20 clients, batches of 500, 2 rounds

Needs PostgreSQL. DATABASE_URL defaults to postgres://kamai:kamai@127.0.0.1:5432/kamai_bench, which is
created and migrated when missing. The ledger tables of a database whose name ends in "bench" are emptied
first; any other database is left as it is and the run uses fresh account codes.

    .venv/bin/python bench/ledger.py --transfers 5000 --workers 8 --batch-transfers 50000 --batch-size 500
"""

import argparse
import multiprocessing
import os
import platform
import random
import statistics
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

from benchkit import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://kamai:kamai@127.0.0.1:5432/kamai_bench"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_workers(workers: int, jobs: list, work) -> tuple[float, list[float], int]:
    """Run work(job) for every job on `workers` threads; returns (seconds, latencies, refused)."""
    from django.db import connection

    from ledger.errors import InsufficientFunds

    latencies: list[float] = []
    refused = [0]
    lock = threading.Lock()
    queue = list(reversed(jobs))
    errors = []

    def worker():
        mine, mine_refused = [], 0
        try:
            while True:
                with lock:
                    if not queue:
                        break
                    job = queue.pop()
                started = time.perf_counter()
                try:
                    work(job)
                except InsufficientFunds:
                    mine_refused += 1
                mine.append(time.perf_counter() - started)
        except Exception as error:  # noqa: BLE001 - printed below
            errors.append(error)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                refused[0] += mine_refused

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, latencies, refused[0]


def _post_singles(jobs: list, workers: int) -> tuple[float, float, list[float], int]:
    """Post (key, legs) jobs with `workers` threads; returns (start, end, latencies, refused)."""
    from ledger import services

    def post_one(job):
        key, legs = job
        services.post_transaction(legs, idempotency_key=key, kind="test")

    started = time.time()
    _, latencies, refused = run_workers(workers, jobs, post_one)
    return started, time.time(), latencies, refused


def _setup_django() -> None:
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transfers", type=int, default=5000, help="single-post transfers (default 5000)")
    parser.add_argument("--batch-transfers", type=int, default=50000, help="transfers through the batch API")
    parser.add_argument("--batch-size", type=int, default=500, help="transfers per post_transactions call")
    parser.add_argument("--workers", type=int, default=8, help="threads posting single transfers (default 8)")
    parser.add_argument(
        "--batch-workers", type=int, default=2, help="threads posting batches (default 2: a batch locks most wallets)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="processes posting, each with its share of the threads (default 1; with --peer one per client)",
    )
    parser.add_argument(
        "--accounts", type=int, default=None, help="wallets transfers run between (1000; 50 with --peer)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--peer", choices=["pgledger"], help="run beside pgledger on the same server (bench/ledgerpeer.py)"
    )
    parser.add_argument("--peer-clients", default="8,20", help="with --peer: client counts for single transfers")
    parser.add_argument("--seconds", type=int, default=20, help="with --peer: seconds of each run")
    parser.add_argument("--rounds", type=int, default=2, help="with --peer: rounds, alternating who goes first")
    args = parser.parse_args()
    args.processes = args.processes or (None if args.peer else 1)
    args.accounts = args.accounts or (50 if args.peer else 1000)
    args.peer_clients = [int(c) for c in args.peer_clients.split(",")]

    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamai.settings")
    os.environ.setdefault("DEBUG", "1")
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        print("bench/ledger.py needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ledger import services
    from ledger.models import Account

    call_command("migrate", verbosity=0)
    if args.peer:
        import ledgerpeer

        return ledgerpeer.main(url, args)
    load_at_start = os.getloadavg()
    db_name = connection.settings_dict["NAME"]
    if db_name.endswith("bench"):
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE ledger_posting, ledger_hold, ledger_transaction, ledger_account RESTART IDENTITY CASCADE"
            )
    run = uuid.uuid4().hex[:8]
    rng = random.Random(args.seed)

    # Wallets that may not go negative, each funded with 1,000,000.00 in one batch.
    bank = services.account_get_or_create(code=f"bench:{run}:bank:USD", book="platform", kind="asset", currency="USD")
    wallets = [
        services.account_get_or_create(
            code=f"bench:{run}:wallet:{i}:USD", book="platform", kind="liability", currency="USD", no_negative=True
        )
        for i in range(args.accounts)
    ]
    funding = Decimal("1000000.00")
    services.post_transactions(
        [
            {"postings": [(bank, funding), (w, -funding)], "idempotency_key": f"bench:{run}:fund:{i}", "kind": "test"}
            for i, w in enumerate(wallets)
        ]
    )

    def transfer_legs():
        source, target = rng.sample(wallets, 2)
        amount = Decimal(rng.randint(1, 10_000)).scaleb(-2)
        return [(source, amount), (target, -amount)]

    single_jobs = [(f"bench:{run}:single:{i}", transfer_legs()) for i in range(args.transfers)]

    if args.processes > 1:
        # Separate interpreters, so Python work is not serialised by one GIL.
        connection.close()
        slices = [single_jobs[n :: args.processes] for n in range(args.processes)]
        with multiprocessing.get_context("spawn").Pool(args.processes, initializer=_setup_django) as pool:
            results = pool.starmap(_post_singles, [(jobs, args.workers) for jobs in slices])
        single_s = max(r[1] for r in results) - min(r[0] for r in results)
        single_lat = [latency for r in results for latency in r[2]]
        single_refused = sum(r[3] for r in results)
    else:
        started, ended, single_lat, single_refused = _post_singles(single_jobs, args.workers)
        single_s = ended - started

    batch_jobs = []
    for b in range(0, args.batch_transfers, args.batch_size):
        batch_jobs.append(
            [
                {"postings": transfer_legs(), "idempotency_key": f"bench:{run}:batch:{b + i}", "kind": "test"}
                for i in range(min(args.batch_size, args.batch_transfers - b))
            ]
        )
    batch_s, batch_lat, batch_refused = run_workers(args.batch_workers, batch_jobs, services.post_transactions)

    check_started = time.perf_counter()
    try:
        call_command("ledger_check")
        check_ok = True
    except SystemExit:
        check_ok = False
    check_s = time.perf_counter() - check_started

    single_done = args.transfers - single_refused
    batch_done = args.batch_transfers - batch_refused * args.batch_size
    print()
    print(f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")
    print(f"load average at start: {load_at_start[0]:.2f} (other work on the machine skews the figures)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        print(f"database: {cursor.fetchone()[0].split(',')[0]} ({db_name})")
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
        cursor.execute("SHOW fsync")
        print(
            f"settings: synchronous_commit={sync}, fsync={cursor.fetchone()[0]}, workers={args.workers}, "
            f"processes={args.processes}, batch workers={args.batch_workers}, "
            f"accounts={args.accounts}, batch size={args.batch_size}"
        )
    print(
        f"single posts: {single_done} transfers in {single_s:.2f}s = {single_done / single_s:,.0f} transfers/s "
        f"({2 * single_done / single_s:,.0f} postings/s); latency p50 {percentile(single_lat, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(single_lat, 0.99) * 1000:.1f} ms; refused {single_refused}"
    )
    print(
        f"batch API: {batch_done} transfers in {batch_s:.2f}s = {batch_done / batch_s:,.0f} transfers/s "
        f"({2 * batch_done / batch_s:,.0f} postings/s); per-batch latency p50 "
        f"{percentile(batch_lat, 0.5) * 1000:.0f} ms, p99 {percentile(batch_lat, 0.99) * 1000:.0f} ms; "
        f"mean {statistics.mean(batch_lat) * 1000:.0f} ms; refused batches {batch_refused}"
    )
    print(f"ledger_check: {'clean' if check_ok else 'FAILED'} in {check_s:.2f}s ({Account.objects.count()} accounts)")
    return 0 if check_ok else 1


if __name__ == "__main__":
    sys.exit(main())
