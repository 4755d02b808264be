"""Prometheus metrics: requests and latency per view, jobs per task, the queue's length, ledger postings.

Under gunicorn every worker process counts on its own; with PROMETHEUS_MULTIPROC_DIR set (an empty
directory, cleared before the server starts, shared by the web workers and the Huey consumer on one host)
prometheus_client writes each process's values to files there and `/metrics` adds them up. Without it the
values live in this process's registry (development, tests). The queue length is read from Huey's storage
when scraped, so it is right whichever process answers.

`/metrics` is not public: it answers a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`, or a
staff member signed in with two factors, and is a 404 to anybody else.
"""

import hmac
import logging
import os
import time

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from accounts.mfa import session_passed_mfa
from ledger.services import register_projector

logger = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "kamai_http_requests", "HTTP requests answered, by view, method and status.", ["view", "method", "status"]
)
HTTP_REQUEST_SECONDS = Histogram(
    "kamai_http_request_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
JOBS = Counter("kamai_jobs", "Background jobs run, by task and outcome (ok, error).", ["task", "outcome"])
JOB_SECONDS = Histogram(
    "kamai_job_seconds",
    "Time a background job ran, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
LEDGER_TRANSACTIONS = Counter("kamai_ledger_transactions", "Ledger transactions committed, by kind.", ["kind"])
LEDGER_POSTINGS = Counter(
    "kamai_ledger_postings", "Ledger postings (legs) committed, by the kind of their transaction.", ["kind"]
)

# Every URL that resolves to no view shares one label, so a scanner cannot grow the set of series.
UNMATCHED_VIEW = "unmatched"


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


class QueueCollector:
    """kamai_queue_length and kamai_queue_scheduled, read from Huey's storage at scrape time."""

    def collect(self):
        from huey.contrib.djhuey import HUEY

        try:
            pending, scheduled = HUEY.pending_count(), HUEY.scheduled_count()
        except Exception:  # noqa: BLE001 - an unreachable queue must not fail the whole scrape
            logger.warning("Could not read the job queue's length for /metrics", exc_info=True)
            return
        yield GaugeMetricFamily("kamai_queue_length", "Jobs waiting in the queue to be run now.", value=pending)
        yield GaugeMetricFamily(
            "kamai_queue_scheduled", "Jobs waiting for a later time (delays, retries).", value=scheduled
        )


def render() -> bytes:
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_DefaultRegistryView())
    registry.register(QueueCollector())
    return generate_latest(registry)


class _DefaultRegistryView:
    """This process's own metrics (and the process and GC collectors) when not in multiprocess mode."""

    def collect(self):
        return REGISTRY.collect()


# --- Requests ----------------------------------------------------------------------------------------


class MetricsMiddleware:
    """Counts and times every response by the view that answered (its URL name, namespaced)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else UNMATCHED_VIEW
        HTTP_REQUEST_SECONDS.labels(view=view).observe(time.perf_counter() - start)
        HTTP_REQUESTS.labels(view=view, method=_method(request.method), status=str(response.status_code)).inc()
        return response


_KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _method(method: str | None) -> str:
    return method if method in _KNOWN_METHODS else "other"


def _bearer_token(request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def scrape_allowed(request) -> bool:
    expected = getattr(settings, "METRICS_TOKEN", "")
    offered = _bearer_token(request)
    if expected and offered and hmac.compare_digest(offered.encode(), expected.encode()):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff and user.is_active:
        return session_passed_mfa(request)
    return False


def metrics_view(request):
    """The Prometheus scrape. A 404 unless the token or a staff session with two factors is presented, so
    the endpoint is not advertised."""
    if request.method not in ("GET", "HEAD") or not scrape_allowed(request):
        raise Http404
    response = HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


# --- Jobs --------------------------------------------------------------------------------------------


def _job_executing(signal, task, *args, **kwargs) -> None:
    task._kamai_started = time.perf_counter()


def _job_outcome(outcome: str):
    def receiver(signal, task, *args, **kwargs) -> None:
        started = getattr(task, "_kamai_started", None)
        if started is not None:
            JOB_SECONDS.labels(task=task.name).observe(time.perf_counter() - started)
        JOBS.labels(task=task.name, outcome=outcome).inc()

    receiver.__name__ = f"kamai_job_{outcome}"
    return receiver


_job_ok = _job_outcome("ok")
_job_error = _job_outcome("error")


def connect_huey(huey) -> None:
    from huey import signals

    huey.signal(signals.SIGNAL_EXECUTING)(_job_executing)
    huey.signal(signals.SIGNAL_COMPLETE)(_job_ok)
    huey.signal(signals.SIGNAL_ERROR, signals.SIGNAL_TIMEOUT)(_job_error)


# --- Ledger ------------------------------------------------------------------------------------------


_LEDGER_COUNTERS: dict[str, tuple] = {}


def _ledger_counters(kind: str) -> tuple:
    """The two counters of one transaction kind, looked up once (labels() takes a lock and builds a key on
    every call, and every single posting is counted)."""
    counters = _LEDGER_COUNTERS.get(kind)
    if counters is None:
        counters = _LEDGER_COUNTERS[kind] = (LEDGER_TRANSACTIONS.labels(kind=kind), LEDGER_POSTINGS.labels(kind=kind))
    return counters


def count_postings(posted) -> None:
    """A ledger projector: counted once the database transaction that wrote them commits."""
    counts = [(p.transaction.kind, len(p.legs)) for p in posted]

    def count():
        for kind, legs in counts:
            transactions, postings = _ledger_counters(kind)
            transactions.inc()
            postings.inc(legs)

    transaction.on_commit(count)


def install() -> None:
    """Called once from web's AppConfig.ready."""
    from huey.contrib.djhuey import HUEY

    connect_huey(HUEY)
    register_projector(count_postings, needs_transaction=False)
