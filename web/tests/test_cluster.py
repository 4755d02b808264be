"""The cluster test: Kamai as deployed on more than one machine, in one test.

Starts a fresh PostgreSQL database behind PgBouncer in transaction mode, two gunicorn web processes on two
ports and two Huey consumers that both run the scheduler, all sharing one Redis database and one private
bucket on a real S3-compatible server (moto's, started by web/tests/conftest.py). A client and a freelancer
then go through the whole journey over plain HTTP (sign in, post, propose, hire, fund, deliver a file,
approve, withdraw, invoice, import a statement), every request going to the other web process than the one
before. Sessions, CSRF, rate limits, uploads and downloads must hold across the processes, the periodic jobs
must run once a minute however many schedulers run, and the ledger must balance.

Runs in `make test` on PostgreSQL (CI installs PgBouncer); skips on SQLite, and locally when gunicorn,
PgBouncer or Redis is missing.
"""

import html
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

pytestmark = pytest.mark.cluster

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"
PGBOUNCER = Path("/usr/sbin/pgbouncer")
WEB_PORTS = range(8170, 8180)
PGBOUNCER_PORTS = range(6440, 6450)
REDIS_DB = 7  # no other test uses it: flushed at the start and the end
SECRET_KEY = "cluster-test-not-secret-" + "c" * 40
PASSWORD = "correct-horse-battery-staple"  # accounts.tests.factories.PASSWORD
SAMPLE = ROOT / "books" / "tests" / "samples" / "payoneer.csv"


def _unavailable() -> str:
    """Why the cluster cannot run here, or ''."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "the cluster test runs on PostgreSQL (set DATABASE_URL)"
    if not GUNICORN.exists():
        return f"gunicorn is not installed at {GUNICORN}"
    if not PGBOUNCER.exists():
        return "PgBouncer is not installed (apt-get install pgbouncer); .ci/run installs it"
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError:
        return "Redis is not running on 127.0.0.1:6379"
    return ""


def _free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process for port {port} exited:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Terminate the process group (gunicorn's workers, the consumer's threads) and wait for it."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Cluster:
    def __init__(self, workdir: Path, database: str, admin_url: str):
        self.workdir, self.database, self.admin_url = workdir, database, admin_url
        self.processes: list[subprocess.Popen] = []
        self.web_ports: list[int] = []
        parts = urlsplit(admin_url)
        self.direct_url = f"{parts.scheme}://{parts.netloc}/{database}"
        self.env: dict[str, str] = {}

    def start(self, name: str, cmd: list[str], env: dict) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        return process, log

    def manage(self, *args: str, direct: bool = True, timeout: int = 300) -> str:
        env = {**self.env, "DATABASE_URL": self.direct_url} if direct else self.env
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def sql(self, query: str, params=()):
        import psycopg

        with psycopg.connect(self.direct_url, autocommit=True) as connection:
            return connection.execute(query, params).fetchall()

    def logs(self) -> str:
        return "\n".join(f"== {log.name}\n{log.read_text()[-4000:]}" for log in sorted(self.workdir.glob("*.log")))


@pytest.fixture(scope="session")
def cluster(request):
    reason = _unavailable()
    if reason:
        if os.environ.get("CI") and os.environ.get("DATABASE_URL", "").startswith("postgres"):
            raise RuntimeError(f"CI must be able to run the cluster test: {reason}")
        pytest.skip(reason)
    import boto3
    import psycopg
    import redis

    from web.tests.conftest import S3_KEYS, S3_REGION

    # Uploads go to a private bucket on the real S3-compatible server the suite starts (moto's).
    s3_endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"kamai-cluster-{uuid.uuid4().hex[:10]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEYS["access_key"],
        aws_secret_access_key=S3_KEYS["secret_key"],
    )
    s3.create_bucket(Bucket=bucket)

    started = time.monotonic()
    admin_url = os.environ["DATABASE_URL"]
    parts = urlsplit(admin_url)
    database = f"kamai_cluster_{uuid.uuid4().hex[:10]}"
    postgres_url = f"{parts.scheme}://{parts.netloc}/postgres"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    # PgBouncer drops root for `postgres`, which must read its configuration: a world-readable folder.
    workdir = Path(tempfile.mkdtemp(prefix="kamai-cluster-"))
    workdir.chmod(0o755)
    cluster = Cluster(workdir, database, admin_url)
    cluster.s3, cluster.bucket = s3, bucket
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    queue = redis.Redis.from_url(redis_url)
    queue.flushdb()
    try:
        bouncer_port = _free_port(PGBOUNCER_PORTS)
        cluster.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://kamai:kamai@127.0.0.1:{bouncer_port}/{database}",
            "DB_PGBOUNCER": "1",
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(workdir / "media"),
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_REGION": S3_REGION,
            "S3_ADDRESSING_STYLE": "path",
            "AWS_ACCESS_KEY_ID": S3_KEYS["access_key"],
            "AWS_SECRET_ACCESS_KEY": S3_KEYS["secret_key"],
            "STATIC_ROOT": str(workdir / "static"),
            "KAMAI_VAR_DIR": str(workdir / "var"),
            "KAMAI_SITE_URL": "http://127.0.0.1",
            "KAMAI_ALLOW_SANDBOX_PAYMENTS": "1",
            "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(workdir / "mail"),
            "HUEY_WORKERS": "1",
            "HUEY_IMMEDIATE": "0",
            # The 4-row sample statement is imported by a consumer, reading the upload a web process stored.
            "BOOKS_IMPORT_BACKGROUND_ROWS": "2",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        cluster.env.pop("DJANGO_SETTINGS_MODULE", None)
        static = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=cluster.env,
            stdout=subprocess.DEVNULL,
        )
        cluster.manage("migrate", "--noinput", "-v0")
        assert static.wait(timeout=300) == 0, "collectstatic failed"

        (workdir / "userlist.txt").write_text('"kamai" "kamai"\n')
        (workdir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{database} = host=127.0.0.1 port={parts.port or 5432} dbname={database}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {bouncer_port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {workdir / 'userlist.txt'}\n"
            "pool_mode = transaction\nmax_client_conn = 200\ndefault_pool_size = 10\n"
            "server_reset_query =\nignore_startup_parameters = extra_float_digits,options\n"
        )
        for name in ("pgbouncer.ini", "userlist.txt"):
            (workdir / name).chmod(0o644)
        bouncer_cmd = [str(PGBOUNCER), str(workdir / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            bouncer_cmd[1:1] = ["-u", "postgres"]
        bouncer, log = cluster.start("pgbouncer", bouncer_cmd, cluster.env)
        _wait_for_port(bouncer_port, bouncer, log)

        for n in (1, 2):
            port = _free_port(WEB_PORTS)
            cmd = [str(GUNICORN), "kamai.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
            web, log = cluster.start(f"web{n}", cmd, cluster.env)
            _wait_for_port(port, web, log)  # bound before the next port is probed
            cluster.web_ports.append(port)
        for n in (1, 2):
            cluster.start(f"consumer{n}", [sys.executable, "manage.py", "run_huey"], cluster.env)
        print(f"\ncluster up in {time.monotonic() - started:.1f} s: web on {cluster.web_ports}, PgBouncer on "
              f"{bouncer_port}, database {database}")  # fmt: skip
        yield cluster
    finally:
        for process in reversed(cluster.processes):
            _stop(process)
        if os.environ.get("KAMAI_CLUSTER_LOGS"):
            print(cluster.logs())
        queue.flushdb()
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)


# --- A browser without a browser: forms parsed from the HTML, every request to the other web process --------


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": [], "buttons": [], "selects": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "submit":
                self._form["buttons"].append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind != "file":
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "button" and name:
            self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append((name, ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select not in self._form["selects"] or "selected" in a:
                self._form["selects"][self._select] = value

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


class Visitor:
    """One person's browser. Every request, redirects included, goes to the other web process than the one
    before, so nothing (session, CSRF token, messages, uploads) can live in one process's memory."""

    def __init__(self, ports: list[int], name: str):
        import requests

        self.ports, self.name, self.sent = ports, name, 0
        self.http = requests.Session()
        self.url = ""
        self.text = ""

    def request(self, method: str, path: str, **kwargs):
        port = self.ports[self.sent % len(self.ports)]
        self.sent += 1
        headers = {
            # As behind production's TLS-terminating proxy: no redirect to https, CSRF checks the Referer.
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{port}{self.url or '/'}",
        }
        response = self.http.request(
            method, f"http://127.0.0.1:{port}{path}", headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        # The processes believe they are behind the TLS proxy and mark cookies Secure; the test speaks plain
        # HTTP to them, so a browser would not send those cookies back: unmark them.
        for cookie in self.http.cookies:
            cookie.secure = False
        return response

    def go(self, method: str, path: str, expect: int = 200, **kwargs):
        response = self.request(method, path, **kwargs)
        while response.status_code in (301, 302, 303):
            location = urlsplit(response.headers["Location"])
            path = location.path + (f"?{location.query}" if location.query else "")
            response = self.request("GET", path)
        assert response.status_code == expect, f"{self.name} {method} {path}: {response.status_code}\n{response.text}"
        self.url, self.text = path, response.text
        return response

    def get(self, path: str, **kwargs):
        return self.go("GET", path, **kwargs)

    def form(self, action: str = "", field: str = "") -> dict:
        parser = _Forms()
        parser.feed(self.text)
        for form in parser.forms:
            names = {name for name, _ in form["fields"]} | set(form["selects"])
            if (not action or re.search(action, form["action"])) and (not field or field in names):
                return form
        raise AssertionError(f"{self.name}: no form {action!r} with {field!r} on {self.url}:\n{self.text[:3000]}")

    def submit(self, action="", data=None, *, field="", button=None, files=None, expect=200):
        """Post the form the way a browser would: its hidden and filled-in fields, changed by `data`."""
        form = self.form(action, field)
        fields = [*form["fields"], *form["selects"].items()]
        data = data or {}
        values = [(name, value) for name, value in fields if name not in data]
        for name, value in data.items():
            values += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
        if button:
            values.append(button)
        return self.go("POST", form["action"] or self.url, data=values, files=files, expect=expect)

    def sign_in(self, email: str) -> None:
        self.get("/accounts/login/")
        self.submit(field="login", data={"login": email, "password": PASSWORD})
        assert self.url == "/dashboard/", self.url

    def links(self, pattern: str) -> list[str]:
        return [html.unescape(href) for href in re.findall(rf'href="({pattern})"', self.text)]


def _errors(page: str) -> str:
    return "\n".join(re.findall(r'class="errorlist[^"]*">(.*?)</ul>', page, re.S)) or page[-3000:]


def _iban(bank_and_account: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bank_and_account + "PK00")
    return f"PK{98 - int(digits) % 97:02d}{bank_and_account}"


SEED = """
from accounts.tests.factories import UserFactory
from marketplace.tests.factories import make_client, make_freelancer
make_client(email="client@cluster.test")
make_freelancer(email="freelancer@cluster.test", skills=["web-development"], headline="Django developer")
"""

SETTLE = """
from decimal import Decimal
from accounts.tests.factories import UserFactory
from payouts.models import Withdrawal
from payouts.services import withdrawal_settle
withdrawal = Withdrawal.objects.get()
staff = UserFactory(is_staff=True)
withdrawal_settle(withdrawal=withdrawal, staff=staff, bank_reference="MEEZAN-FT-1", realized_pkr=None,
                  prc_number="PRC-2026-1", idempotency_key="cluster-settle-1")
print(Withdrawal.objects.get().state)
"""


def test_the_journey_alternating_between_two_web_processes(cluster):
    started = time.monotonic()
    ports = cluster.web_ports
    cluster.manage("shell", "-c", SEED, direct=False)  # through PgBouncer, like the web processes
    client, worker = Visitor(ports, "client"), Visitor(ports, "freelancer")
    client.sign_in("client@cluster.test")
    worker.sign_in("freelancer@cluster.test")

    # Post a job.
    client.get("/jobs/new/")
    skill_id = re.search(r'name="skills" value="(\d+)"', client.text).group(1)
    client.submit(
        field="title",
        data={
            "title": "Booking site for a Lahore salon",
            "description": "Django booking site with reminders by SMS.",
            "skills": [skill_id],
            "budget_type": "fixed",
            "budget_min": "300",
            "budget_max": "600",
        },
        button=("publish", "1"),
    )
    job_path = client.url
    assert re.fullmatch(r"/jobs/\d+/", job_path), job_path

    # Propose.
    worker.get(f"{job_path}propose/")
    due = (date.today() + timedelta(days=10)).isoformat()
    worker.submit(
        field="cover_letter",
        data={
            "cover_letter": "I built three booking sites in Django.",
            "bid": "500",
            "m1_title": "Whole site",
            "m1_amount": "500",
            "m1_due": due,
        },
    )

    # Hire: the offer is reviewed, then sent; the freelancer accepts.
    client.get(f"{job_path}proposals/")
    proposal_path = client.links(r"/proposals/\d+/")[0]
    client.get(proposal_path)
    client.submit(r"/hire/$")
    assert "Review the offer" in client.text
    client.submit(r"/hire/$", field="confirm")
    offer_path = client.url
    assert re.fullmatch(r"/offers/\d+/", offer_path), offer_path
    worker.get(offer_path)
    worker.submit(r"/accept/$")
    contract_path = worker.url if worker.url.startswith("/contracts/") else worker.links(r"/contracts/\d+/")[0]

    # Fund in escrow (the sandbox provider).
    client.get(contract_path)
    milestone = re.search(r"/milestones/(\d+)/fund/", client.text).group(1)
    client.submit(r"/milestones/\d+/fund/$", {"provider": "sandbox"})
    assert cluster.sql("SELECT state FROM contracts_milestone WHERE id = %s", [int(milestone)]) == [("funded",)]

    # Deliver with a file; the client downloads it through the other process.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as site:
        site.writestr("site/index.html", "<h1>Salon</h1>")
        site.writestr("site/photo.bin", os.urandom(48 * 1024))
    delivered = archive.getvalue()
    worker.get(f"/milestones/{milestone}/submit/")
    worker.submit(
        field="message",
        data={"message": "The site is live at the salon's domain."},
        files={"file": ("site.zip", delivered, "application/zip")},
    )
    assert worker.url == contract_path, _errors(worker.text)
    client.get(contract_path)
    file_path = client.links(r"/deliveries/\d+/file/")[0]
    assert client.get(file_path).content == delivered
    assert client.get(file_path).content == delivered  # and through the first process too
    # One copy, in the bucket (not on either machine's disk): uploaded through one process, read by the other.
    objects = cluster.s3.list_objects_v2(Bucket=cluster.bucket).get("Contents", [])
    assert len(objects) == 1, objects
    assert cluster.s3.get_object(Bucket=cluster.bucket, Key=objects[0]["Key"])["Body"].read() == delivered
    assert not [path for path in (cluster.workdir / "media").rglob("*") if path.is_file()]

    # Approve, after the confirmation page.
    client.get(contract_path)
    client.submit(rf"/milestones/{milestone}/approve/$")
    client.submit(rf"/milestones/{milestone}/approve/$", field="confirm")
    assert "Approved and released" in client.text

    # A rate limit counts across both processes: 20 messages a minute, sent alternately, then a refusal.
    client.get(contract_path)
    client.submit(r"/messages/start/$")
    conversation = client.url.split("#")[0]
    if time.time() % 60 > 40:  # the 21 posts must fall in one fixed one-minute window
        time.sleep(61 - time.time() % 60)
    limit = int(settings.KAMAI_THROTTLES["message"].split("/")[0])
    token = client.form(field="body")
    for n in range(limit):
        client.go("POST", conversation, data={**dict(token["fields"]), "body": f"Message {n}"})
    refused = client.request("POST", conversation, data={**dict(token["fields"]), "body": "One too many"})
    assert refused.status_code == 429, refused.status_code
    assert "One too many" not in client.get(conversation).text

    # Withdraw: a bank account, a request; staff settle it (through the service: staff sign in with 2FA).
    worker.get("/withdrawals/accounts/")
    worker.submit(
        field="iban",
        data={
            "title": "Freelancer",
            "iban": _iban("MEZN0002010102345678"),
            "kind": "fcy",
            "currency": "USD",
            "bank_name": "Meezan Bank",
        },
    )
    worker.get("/withdrawals/new/")
    worker.submit(field="amount", data={"amount": "400"})
    assert cluster.sql("SELECT state FROM payouts_withdrawal") == [("requested",)]
    assert cluster.manage("shell", "-c", SETTLE, direct=False).split()[-1] == "settled"

    # Invoice a direct client and send it.
    worker.get("/invoices/clients/new/")
    worker.submit(field="email", data={"name": "Brightline Labs", "email": "ap@brightline.test"})
    worker.get("/invoices/new/")
    invoice_client = re.search(r'name="client"[^>]*>.*?<option value="(\d+)"', worker.text, re.S).group(1)
    worker.submit(
        field="client",
        data={"client": invoice_client, "l1_description": "Booking site", "l1_quantity": "1", "l1_price": "500"},
        button=("issue", "1"),
    )
    assert re.fullmatch(r"/invoices/\d+/", worker.url), _errors(worker.text)
    assert cluster.sql("SELECT count(*) FROM invoicing_invoice WHERE number <> ''") == [(1,)]

    # Import a statement: stored by one web process, imported by a consumer, watched through both.
    worker.get("/books/imports/")
    worker.submit(field="source_format", files={"file": ("payoneer.csv", SAMPLE.read_bytes(), "text/csv")})
    import_path = worker.url
    deadline = time.monotonic() + 60
    while True:
        status = cluster.sql(
            "SELECT status FROM books_statementimport WHERE id = %s", [int(import_path.split("/")[-2])]
        )
        if status[0][0] in ("done", "failed") or time.monotonic() > deadline:
            break
        worker.get(import_path)
        time.sleep(0.5)
    assert status == [("done",)], status

    # Each web process served both people.
    assert client.sent > 20 and worker.sent > 20

    # Periodic jobs: both consumers run the scheduler; each minute's heartbeat ran once.
    import redis

    claims = set(redis.Redis.from_url(cluster.env["REDIS_URL"]).scan_iter("kamai.periodic:*scheduler_heartbeat"))
    assert claims, "no scheduler claimed a minute"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        runs = cluster.sql("SELECT runs FROM web_heartbeat WHERE name = 'scheduler'")
        if runs and runs[0][0] >= len(claims):
            break
        time.sleep(0.5)
    assert runs == [(len(claims),)], (runs, claims)

    # The ledger balances.
    report = cluster.manage("ledger_check")
    print(f"journey: {client.sent + worker.sent} requests over ports {ports} in {time.monotonic() - started:.1f} s;"
          f" {len(claims)} scheduled minutes; ledger_check: {report.strip()[:200]}")  # fmt: skip
