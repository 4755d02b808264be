"""Kamai's ledger beside pgledger (`bench/ledger.py --peer pgledger`), on the same PostgreSQL, in one run.

pgledger (../shared/peers/pgledger, MIT) is loaded, unchanged, into a scratch database that is dropped and
made again each run; it gets the same number of accounts as Kamai (USD, may not go negative, each funded
with 1,000,000.00 from one source account) and pgbench drives it with the peer's own scripts. Kamai's
wallets live in the bench database; Python clients post through `ledger.services`. Each pairing runs for
the same time with the same number of clients, alternating which of the two goes first, and after every run
Kamai's `ledger_check` and pgledger's own balances (each account's balance equals its entries' sum and its
last entry; all balances sum to zero) are checked.

Kamai's clients: one process per client by default (as web workers would post), each with its own
connection, so both sides have the same number of connections in flight; `--processes N` spreads the
clients as threads over N processes instead (one interpreter's lock then serialises their Python).
"""

import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
from benchkit import ensure_tool
from psycopg import sql as psql

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT.parent / "shared" / "peers" / "pgledger"
PEER_FILES = [
    "vendor/scoville-pgsql-ulid/ulid-to-uuid.sql",
    "vendor/scoville-pgsql-ulid/uuid-to-ulid.sql",
    "pgledger.sql",
]
FUNDING = Decimal("1000000.00")


def peer_dir() -> Path:
    for candidate in (Path(os.environ.get("PGLEDGER_DIR", "")), PEER, ROOT / ".." / "shared" / "peers" / "pgledger"):
        if candidate and (candidate / "pgledger.sql").exists():
            return candidate.resolve()
    raise SystemExit("pgledger not found: set PGLEDGER_DIR to the folder holding pgledger.sql")


def _server(url: str) -> str:
    return url.rsplit("/", 1)[0]


def _libpq_env(url: str, db: str) -> dict:
    """pgbench and psql take the connection from PG* variables (the password stays out of argv)."""
    info = psycopg.conninfo.conninfo_to_dict(f"{_server(url)}/{db}")
    env = dict(os.environ)
    env.update(
        PGHOST=info.get("host", "127.0.0.1"),
        PGPORT=str(info.get("port", 5432)),
        PGUSER=info.get("user", ""),
        PGPASSWORD=info.get("password", ""),
        PGDATABASE=db,
    )
    return env


def load_peer(url: str, db: str, accounts: int) -> None:
    """Drop and create `db`, load pgledger into it, make `accounts` funded accounts and peer_account(n, id)."""
    folder = peer_dir()
    with psycopg.connect(f"{_server(url)}/postgres", autocommit=True) as conn:
        conn.execute(psql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psql.Identifier(db)))
        conn.execute(psql.SQL("CREATE DATABASE {}").format(psql.Identifier(db)))
    args = ["psql", "-q", "-v", "ON_ERROR_STOP=1"]
    for name in PEER_FILES:
        args += ["-f", str(folder / name)]
    subprocess.run(args, env=_libpq_env(url, db), check=True, stdout=subprocess.DEVNULL)
    with psycopg.connect(f"{_server(url)}/{db}", autocommit=True) as conn:
        conn.execute("CREATE TABLE peer_account (n int PRIMARY KEY, id text NOT NULL)")
        source = conn.execute("SELECT id FROM pgledger_create_account('source', 'USD', TRUE, TRUE)").fetchone()[0]
        for n in range(1, accounts + 1):
            account = conn.execute(
                "SELECT id FROM pgledger_create_account(%s, 'USD', FALSE, TRUE)", [f"wallet {n}"]
            ).fetchone()[0]
            conn.execute("INSERT INTO peer_account VALUES (%s, %s)", [n, account])
            conn.execute("SELECT 1 FROM pgledger_create_transfer(%s, %s, %s)", [source, account, FUNDING])
        conn.execute("VACUUM ANALYZE")


def check_peer(url: str, db: str) -> str:
    """pgledger's books after a run: every balance equals its entries, its last entry and its version."""
    with psycopg.connect(f"{_server(url)}/{db}") as conn:
        bad = conn.execute(
            """
            SELECT count(*) FROM pgledger_accounts a
            LEFT JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS total, count(*) AS n FROM pgledger_entries e
                               WHERE e.account_id = a.id) s ON TRUE
            LEFT JOIN LATERAL (SELECT account_current_balance AS last FROM pgledger_entries e
                               WHERE e.account_id = a.id ORDER BY account_version DESC LIMIT 1) l ON TRUE
            WHERE a.balance <> s.total OR a.version <> s.n OR a.balance <> coalesce(l.last, 0)
            """
        ).fetchone()[0]
        total = conn.execute("SELECT sum(balance) FROM pgledger_accounts").fetchone()[0]
        negative = conn.execute(
            "SELECT count(*) FROM pgledger_accounts WHERE NOT allow_negative_balance AND balance < 0"
        ).fetchone()[0]
    if bad or total != 0 or negative:
        return f"FAILED ({bad} accounts off, sum {total}, {negative} negative)"
    return "clean"


def run_pgbench(url: str, db: str, script: str, clients: int, seconds: int) -> tuple:
    """(transactions per second, failed clients) of pgbench over one of the peer's scripts."""
    out = subprocess.run(
        [
            ensure_tool("pgbench", "postgresql-client"),
            "-n",
            "-f",
            str(peer_dir() / script),
            "-c",
            str(clients),
            "-j",
            str(min(clients, 2)),
            "-T",
            str(seconds),
        ],  # fmt: skip
        env=_libpq_env(url, db),
        capture_output=True,
        text=True,
    )
    text = out.stdout + out.stderr
    found = re.search(r"tps = ([0-9.]+)", text)
    if found is None:
        raise SystemExit(f"pgbench failed:\n{text}")
    aborted = re.search(r"number of failed transactions: (\d+)", text)
    tps = float(found.group(1))  # float-ok: a rate, not money
    return tps, int(aborted.group(1)) if aborted else int(out.returncode != 0)


# Kamai's side: a worker process with `threads` clients, each on its own connection, for `seconds`.


def _kamai_worker(wallet_ids: list[int], threads: int, seconds: int, batch: int, seed: int):
    import django

    django.setup()
    from django.db import connection

    from ledger import services
    from ledger.errors import InsufficientFunds
    from ledger.models import Account

    wallets = list(Account.objects.filter(pk__in=wallet_ids))
    connection.close()
    prefix = f"peer:{uuid.uuid4().hex[:10]}"
    counts, latencies, refused = [], [], [0]
    lock = threading.Lock()
    deadline = [0.0]

    def client(number: int):
        rng = random.Random(seed * 1000 + number)
        done, mine, n = 0, [], 0
        try:
            while time.perf_counter() < deadline[0]:
                items = []
                for _ in range(batch):
                    source, target = rng.sample(wallets, 2)
                    amount = Decimal(rng.randint(1, 10_000)).scaleb(-2)
                    n += 1
                    key = f"{prefix}:{number}:{n}"
                    items.append({"postings": [(source, amount), (target, -amount)], "idempotency_key": key})
                started = time.perf_counter()
                try:
                    if batch == 1:
                        services.post_transaction(items[0]["postings"], idempotency_key=items[0]["idempotency_key"],
                                                  kind="test")  # fmt: skip
                    else:
                        services.post_transactions([{**item, "kind": "test"} for item in items])
                    done += batch
                except InsufficientFunds:
                    with lock:
                        refused[0] += 1
                mine.append(time.perf_counter() - started)
        finally:
            connection.close()
            with lock:
                counts.append(done)
                latencies.extend(mine)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    deadline[0] = started + seconds
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts), time.perf_counter() - started, latencies, refused[0]


def run_kamai(pool, wallet_ids: list[int], clients: int, processes: int, seconds: int, batch: int, seed: int):
    """(transfers per second, p50 ms, refused calls) with `clients` connections over `processes` processes."""
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    jobs = [(wallet_ids, n, seconds, batch, seed * 100 + i) for i, n in enumerate(per) if n]
    results = pool.starmap(_kamai_worker, jobs)
    done = sum(r[0] for r in results)
    elapsed = max(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0.0
    return done / elapsed, p50, sum(r[3] for r in results)


def kamai_wallets(accounts: int) -> list[int]:
    """`accounts` fresh no-negative USD wallets, each funded with 1,000,000.00 from one bank account."""
    from ledger import services

    run = uuid.uuid4().hex[:8]
    bank = services.account_get_or_create(code=f"peerbench:{run}:bank:USD", book="platform", kind="asset",
                                          currency="USD")  # fmt: skip
    wallets = [
        services.account_get_or_create(
            code=f"peerbench:{run}:wallet:{i}:USD", book="platform", kind="liability", currency="USD", no_negative=True
        )  # fmt: skip
        for i in range(accounts)
    ]
    services.post_transactions(
        [
            {
                "postings": [(bank, FUNDING), (w, -FUNDING)],
                "idempotency_key": f"peerbench:{run}:fund:{i}",
                "kind": "test",
            }
            for i, w in enumerate(wallets)
        ]
    )
    return [w.pk for w in wallets]


def fresh_ledger(db_name: str) -> bool:
    """Empty Kamai's ledger tables (and what refers to them) in a benchmark database, so both sides start
    from new tables: pgledger's database is dropped and made again every run, and a ledger table that kept
    earlier runs' rows and dead row versions would make Kamai's side pay for them. Only a database named as a
    benchmark's (ending in "bench" or starting with "kamai_bench") is emptied."""
    from django.db import connection

    if not (db_name.endswith("bench") or db_name.startswith("kamai_bench")):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE ledger_posting, ledger_hold, ledger_transaction, ledger_account RESTART IDENTITY CASCADE"
        )
    return True


def ledger_check() -> str:
    from django.core.management import call_command

    try:
        call_command("ledger_check", verbosity=0)
        return "clean"
    except SystemExit:
        return "FAILED"


def main(url: str, args) -> int:
    from django.db import connection

    db_name = connection.settings_dict["NAME"]
    peer_db = f"{db_name}_pgledger"
    print(f"loading pgledger from {peer_dir()} into {peer_db} ...")
    load_peer(url, peer_db, args.accounts)
    if fresh_ledger(db_name):
        print(f"emptied Kamai's ledger tables in {db_name}, as pgledger's database is made afresh")
    wallet_ids = kamai_wallets(args.accounts)
    connection.close()
    load = os.getloadavg()
    plans = [("single", 1, "pgledger_transfer.sql", c) for c in args.peer_clients] + [
        ("batch", args.batch_size, "pgledger_batch.sql", args.batch_workers)
    ]
    results: dict[tuple, list] = {}
    ctx = multiprocessing.get_context("spawn")
    pool_size = args.processes or max(clients for *_rest, clients in plans)
    with ctx.Pool(pool_size) as pool:
        for round_no in range(args.rounds):
            for mode, batch, script, clients in plans:
                order = ("kamai", "peer") if round_no % 2 == 0 else ("peer", "kamai")
                for side in order:
                    if side == "kamai":
                        processes = min(clients, args.processes or clients)
                        tps, p50, refused = run_kamai(pool, wallet_ids, clients, processes, args.seconds,
                                                      batch, round_no)  # fmt: skip
                        tps_unit = tps
                        check = ledger_check()
                        extra = f"p50 {p50:.1f} ms, refused {refused}, ledger_check {check}"
                    else:
                        tps, failed = run_pgbench(url, peer_db, script, clients, args.seconds)
                        tps_unit = tps * batch
                        check = check_peer(url, peer_db)
                        extra = f"failed {failed}, pgledger balances {check}"
                    results.setdefault((mode, clients, side), []).append(tps_unit)
                    print(f"round {round_no + 1} {mode:6} clients={clients:2} {side:5}: "
                          f"{tps_unit:9,.0f} transfers/s  ({extra})", flush=True)  # fmt: skip
                    if "FAILED" in check:
                        return 1
    print()
    print(f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; at end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores; "
          f"{args.accounts} accounts; {args.seconds} s a run; Kamai: "
          f"{f'{args.processes} processes' if args.processes else 'a process per client'}")  # fmt: skip
    print("| run | clients | Kamai transfers/s | pgledger transfers/s | ratio (median of rounds) |")
    print("|---|---:|---:|---:|---:|")
    for mode, batch, _script, clients in plans:
        kamai = results[(mode, clients, "kamai")]
        peer = results[(mode, clients, "peer")]
        ratios = [k / p for k, p in zip(kamai, peer, strict=True)]
        label = "single transfers" if batch == 1 else f"batches of {batch}"
        print(f"| {label} | {clients} | {' / '.join(f'{k:,.0f}' for k in kamai)} | "
              f"{' / '.join(f'{p:,.0f}' for p in peer)} | {statistics.median(ratios):.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit("run bench/ledger.py --peer pgledger")
