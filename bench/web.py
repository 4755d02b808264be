"""Web benchmark (`make bench-web`; never part of `make test`): Kamai's main pages under load, measured
beside the smallest Django site served the same way.

Builds once, then reuses, a PostgreSQL dataset: --rows freelancers and jobs (bench/search.py's data) and a
bench freelancer with a contract, rows/2 wallet postings and --rows book entries. Serves Kamai as in
production (gunicorn -w 3, DEBUG=0, kept connections, Redis cache when REDIS_URL is set) and
bench/hello/app.py under the same gunicorn; drives wrk (Debian's package, installed if missing) at 50
connections over each page, signed-in pages with a session cookie; prints req/s, p50/p95/p99, errors and
each page's share of the hello baseline, with the load average before and after.

    .venv/bin/python bench/web.py                              # 10,000 rows, 20 s a page
    .venv/bin/python bench/web.py --rows 100000
    .venv/bin/python bench/web.py --duration 5 --pages home,jobs   # a quick look while developing

DATABASE_URL defaults to postgres://kamai:kamai@127.0.0.1:5432/kamai_perf_web_<rows> (created if missing).
"""

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
WEB_EMAIL = "web@bench.kamai"
# Sessions made here must decode in the served processes: both use this key.
SECRET_KEY = "bench-web-not-secret-" + "k" * 40


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="freelancers, jobs and book entries")
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers for each site")
    parser.add_argument("--port", type=int, default=8101, help="Kamai's port; the hello site uses the next one")
    parser.add_argument("--pages", default="", help="comma-separated page names to run (default: all)")
    parser.add_argument(
        "--misses",
        action="store_true",
        help="also drive each page with a new query parameter on every request, so no kept page answers: the "
        "cost of building it",
    )
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"postgres://kamai:kamai@127.0.0.1:5432/kamai_perf_web_{ARGS.rows}"
    os.environ["BENCH_ROWS"] = str(ARGS.rows)
    os.environ["SECRET_KEY"] = SECRET_KEY
    sys.path.insert(0, str(BENCH))
    import search  # noqa: E402  (creates the database if needed and sets Django up)


def seed_web_user(rows: int):
    """The signed-in pages' freelancer: a fixed-price contract, rows/2 wallet pay-ins and `rows` book entries
    imported as Payoneer statements (the way a freelancer's history arrives)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.utils import override_settings

    from accounts.models import User
    from accounts.tests.factories import FreelancerProfileFactory
    from books.imports import statement_import_create
    from contracts.services import MilestoneTerms, contract_create
    from ledger import services as ledger
    from ledger.models import ExchangeRate

    user = User.objects.filter(email=WEB_EMAIL).first()
    if user is not None:
        return user
    started = time.perf_counter()
    user = FreelancerProfileFactory(user__email=WEB_EMAIL, slug="bench-web", display_name="Bench Freelancer").user
    client = User.objects.get(email="client0@bench.kamai")
    due = date.today() + timedelta(days=30)
    contract_create(
        freelancer=user,
        client=client,
        title="Shop build for the bench",
        kind="fixed",
        currency="USD",
        milestones=[MilestoneTerms(f"Part {n}", Decimal(100 * n), due) for n in (1, 2, 3)],
        accepted_by_client=True,
    )
    wallet = ledger.freelancer_wallet_account(freelancer=user, currency="USD")
    bank = ledger.platform_bank_account(currency="USD")
    payins = rows // 2

    def payin(n: int) -> Decimal:
        return Decimal(f"{10 + n % 90}.{n % 100:02d}")

    for first in range(0, payins, 1000):
        ledger.post_transactions(
            [
                {
                    "postings": [(bank, payin(n)), (wallet, -payin(n))],
                    "idempotency_key": f"bench-web:payin:{n}",
                    "kind": "payin",
                    "memo": f"Pay-in {n}",
                }
                for n in range(first, min(first + 1000, payins))
            ]
        )
    start, end = date(2021, 7, 1), date(2026, 6, 30)
    day = start
    while day <= end:
        for currency, rate in (("USD", "280.25"), ("GBP", "355.10"), ("EUR", "302.40")):
            ExchangeRate.objects.get_or_create(
                base_currency=currency, rate_date=day, source="sbp", defaults={"rate": Decimal(rate)}
            )
        day += timedelta(days=7)
    currencies, days = ["USD", "USD", "GBP", "EUR"], (end - start).days
    for part_start in range(0, rows, 50_000):
        lines = ["Date,Description,Amount,Currency,Status,Transaction ID"]
        for i in range(part_start, min(part_start + 50_000, rows)):
            on = start + timedelta(days=i * days // rows)
            amount = f"-{(i % 7) + 1}.50" if i % 10 == 9 else f"{50 + i % 900}.{i % 100:02d}"
            what = "Service fee" if i % 10 == 9 else f"Payment from Client {i % 40}"
            lines.append(f"{on:%d %b %Y},{what},{amount},{currencies[i % 4]},Completed,W{i}")
        with override_settings(BOOKS_IMPORT_BACKGROUND_ROWS=10**9):
            upload = SimpleUploadedFile("bench.csv", "\n".join(lines).encode())
            done = statement_import_create(user=user, source_format="payoneer", upload=upload)
        assert done.status == "done", done.errors[:5]
    seconds = time.perf_counter() - started
    print(f"seeded the bench freelancer ({payins:,} pay-ins, {rows:,} book entries) in {seconds:.0f}s")
    return user


def pages_for(user) -> list[tuple[str, str, bool]]:
    """(name, path, signed in) for every main page."""
    from contracts.models import Contract
    from ledger import services as ledger

    wallet = ledger.freelancer_wallet_account(freelancer=user, currency="USD")
    contract = Contract.objects.filter(freelancer=user).order_by("id").first()
    return [
        ("home", "/", False),
        ("jobs", "/jobs/?q=django", False),
        ("freelancers", "/freelancers/?q=django", False),
        ("profile", "/f/bench-7/", False),
        ("wallet", "/wallet/", True),
        ("statement latest", f"/wallet/accounts/{wallet.pk}/", True),
        ("statement oldest", f"/wallet/accounts/{wallet.pk}/?after=start", True),
        ("contract room", f"/contracts/{contract.pk}/", True),
        ("books", "/books/", True),
        ("tax", "/tax/", True),
    ]


def session_cookie(user) -> str:
    """The cookies a signed-in browser sends: its session and the CSRF cookie it got on its first page (a
    random secret of the form Django gives out)."""
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.test import Client
    from django.utils.crypto import get_random_string

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"


def ensure_wrk() -> str:
    from benchkit import ensure_tool

    return ensure_tool("wrk", "wrk")


def serve(name: str, app: list[str], port: int, env: dict, workers: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / f"bench-web-{name}.log", "w")  # noqa: SIM115  (closed with the process)
    cmd = [gunicorn, *app, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def fetch_status(port: int, path: str, headers: dict) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def wait_ready(port: int, headers: dict, process: subprocess.Popen) -> None:
    for _ in range(120):
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited; see var/bench-web-*.log")
        try:
            if fetch_status(port, "/", headers) == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server on port {port} did not answer 200 on /")


RESULT = re.compile(r"WRK_RESULT (.*)")


def drive(wrk: str, port: int, path: str, headers: dict, duration: int, connections: int, fresh=False) -> dict:
    env = {**os.environ, "WRK_FRESH": "1" if fresh else "0"}
    cmd = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(BENCH / "wrk_report.lua")]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True, env=env
    )
    match = RESULT.search(output.stdout)
    if match is None:
        raise SystemExit(f"wrk said:\n{output.stdout}\n{output.stderr}")
    values = {key: int(value) for key, value in (item.split("=") for item in match.group(1).split())}
    seconds = values["duration_us"] / 1_000_000
    return {
        "rps": values["requests"] / seconds,
        "p50": values["p50_us"] / 1000,
        "p95": values["p95_us"] / 1000,
        "p99": values["p99_us"] / 1000,
        "errors": values["errors"] + values["non2xx"],
    }


def main() -> None:
    from django.core.management import call_command

    from accounts.models import User

    call_command("migrate", verbosity=0)
    if not User.objects.filter(email="bench0@bench.kamai").exists():
        search.seed()
    user = seed_web_user(ARGS.rows)
    pages = pages_for(user)
    if ARGS.pages:
        wanted = {name.strip() for name in ARGS.pages.split(",")}
        pages = [page for page in pages if page[0] in wanted or page[0].split()[0] in wanted]
    cookie = session_cookie(user)
    wrk = ensure_wrk()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KAMAI_SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # As behind the TLS-terminating proxy of production: otherwise every request is redirected to https.
    proxied = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    kamai = serve("kamai", ["kamai.wsgi"], ARGS.port, env, ARGS.workers)
    hello = serve("hello", ["--chdir", str(BENCH / "hello"), "app:application"], ARGS.port + 1, env, ARGS.workers)
    results = []
    try:
        wait_ready(ARGS.port, proxied, kamai)
        wait_ready(ARGS.port + 1, {}, hello)
        load_before = os.getloadavg()
        baseline = drive(wrk, ARGS.port + 1, "/", {}, ARGS.duration, ARGS.connections)
        print(f"hello: {baseline['rps']:,.0f} req/s", flush=True)
        for name, path, signed_in in pages:
            headers = {**proxied, **({"Cookie": cookie} if signed_in else {})}
            status = fetch_status(ARGS.port, path, headers)
            result = drive(wrk, ARGS.port, path, headers, ARGS.duration, ARGS.connections)
            result.update(name=name, path=path, status=status)
            results.append(result)
            print(f"{name}: {result['rps']:,.1f} req/s (HTTP {status})", flush=True)
            if ARGS.misses:
                missed = drive(wrk, ARGS.port, path, headers, ARGS.duration, ARGS.connections, fresh=True)
                missed.update(name=f"{name} (built, no kept page)", path=path, status=status)
                results.append(missed)
                print(f"{missed['name']}: {missed['rps']:,.1f} req/s", flush=True)
        load_after = os.getloadavg()
    finally:
        stop(kamai)
        stop(hello)
    print_table(baseline, results, load_before, load_after)


def print_table(baseline: dict, results: list[dict], load_before, load_after) -> None:
    from django.db import connection

    from accounts.models import FreelancerProfile
    from marketplace.models import Job

    print()
    print(
        f"{FreelancerProfile.objects.count():,} freelancers, {Job.objects.count():,} jobs (--rows {ARGS.rows:,}); "
        f"gunicorn -w {ARGS.workers}, DEBUG=0, PostgreSQL {connection.pg_version // 10000}; "
        f"wrk {ARGS.connections} connections, {ARGS.duration} s a page; {os.cpu_count()} cores"
    )
    print(f"load average (1/5/15 min): before {fmt_load(load_before)}, after {fmt_load(load_after)}")
    print()
    print("| page | req/s | p50 / p95 / p99 ms | errors | share of hello |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| hello (minimal Django) | {baseline['rps']:,.0f} | {baseline['p50']:,.1f} / {baseline['p95']:,.1f} / "
        f"{baseline['p99']:,.1f} | {baseline['errors']} | 1 |"
    )
    for r in results:
        status = "" if r["status"] == 200 else f" (HTTP {r['status']})"
        print(
            f"| {r['name']} `{r['path']}`{status} | {r['rps']:,.1f} | {r['p50']:,.0f} / {r['p95']:,.0f} / "
            f"{r['p99']:,.0f} | {r['errors']} | {r['rps'] / baseline['rps']:.4f} |"
        )
    for label, chosen in (("", [r for r in results if "(built" not in r["name"]]),
                          (" (built, no kept page)", [r for r in results if "(built" in r["name"]])):  # fmt: skip
        shares = sorted(r["rps"] / baseline["rps"] for r in chosen)
        if shares:
            middle = len(shares) // 2
            median = shares[middle] if len(shares) % 2 else (shares[middle - 1] + shares[middle]) / 2
            print(f"\nmedian share of hello{label}: {median:.4f}; lowest: {shares[0]:.4f}")


def fmt_load(load) -> str:
    return " / ".join(f"{value:.2f}" for value in load)  # float-ok: display only


if __name__ == "__main__":
    main()
