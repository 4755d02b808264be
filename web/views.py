import logging
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from accounts.models import ClientProfile, FreelancerProfile, Hat
from accounts.selectors import featured_freelancers
from common import fragments
from contracts.selectors import contracts_needing_action
from marketplace.views import client_dashboard_context, freelancer_dashboard_context
from web.models import Heartbeat

logger = logging.getLogger(__name__)


def home(request):
    return fragments.render_with_part(
        request, "web/home.html", "web/_home_content.html",
        lambda: {"freelancers": featured_freelancers(day=timezone.localdate(), limit=6)},
        name="home", groups=("freelancers",),
    )  # fmt: skip


@login_required
def dashboard(request):
    """One dashboard per hat; later features fill these."""

    contract_actions = contracts_needing_action(request.user)

    if request.user.active_hat == Hat.CLIENT:
        profile = ClientProfile.objects.filter(user=request.user).first() or ClientProfile(
            user=request.user, name=request.user.email.split("@")[0]
        )
        return render(
            request,
            "web/dashboard_client.html",
            {"profile": profile, "contract_actions": contract_actions, **client_dashboard_context(request.user)},
        )
    profile = FreelancerProfile.objects.filter(user=request.user).first()
    if profile is None:  # a staff account that never worked as a freelancer: its profile is made on first edit
        profile = FreelancerProfile(user=request.user, display_name=request.user.email.split("@")[0])
    saved = profile.pk is not None
    checklist = [
        (bool(profile.headline), "headline"),
        (saved and profile.skills.exists(), "skills"),
        (profile.hourly_rate_minor is not None, "rate"),
        (saved and profile.portfolio_items.exists(), "portfolio"),
        (profile.pseb_registered, "pseb"),
    ]
    return render(
        request,
        "web/dashboard_freelancer.html",
        {
            "profile": profile,
            "checklist": dict((key, done) for done, key in checklist),
            "contract_actions": contract_actions,
            **freelancer_dashboard_context(request.user),
        },
    )


def _database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


def _cache_ok() -> bool:
    # The cache holds rate limits; with Redis it is a separate service that can be down on its own.
    cache.set("healthz", "1", timeout=10)
    return cache.get("healthz") == "1"


def _queue_ok() -> bool:
    HUEY.storage.queue_size()
    return True


HEALTH_CHECKS = {"database": _database_ok, "cache": _cache_ok, "queue": _queue_ok}


def healthz(request):
    """Database, cache and job queue reachable (503 naming the ones that are not), and the scheduler alive
    (a heartbeat in the last 3 minutes; a stale scheduler is reported but does not fail the check)."""
    report: dict = {}
    for component, check in HEALTH_CHECKS.items():
        try:
            report[component] = "ok" if check() else "down"
        except Exception:  # any failure of a dependency is an answer here, not a crash
            logger.exception("healthz: %s check failed", component)
            report[component] = "down"
    failed = [component for component, state in report.items() if state != "ok"]
    if report["database"] == "ok":
        beat = Heartbeat.objects.filter(name="scheduler").first()
        alive = bool(beat and beat.last_run_at > timezone.now() - timedelta(minutes=3))
        report.update(scheduler="ok" if alive else "stale", last_beat=beat and beat.last_run_at)
    report["failed"] = failed
    return JsonResponse(report, status=503 if failed else 200)
