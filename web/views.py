from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Hat
from accounts.selectors import freelancer_directory
from accounts.services import client_profile_ensure, freelancer_profile_ensure
from web.models import Heartbeat


def home(request):
    return render(request, "web/home.html", {"freelancers": freelancer_directory(limit=6)})


@login_required
def dashboard(request):
    """One dashboard per hat; later features fill these."""
    from contracts.selectors import contracts_needing_action
    from marketplace.views import client_dashboard_context, freelancer_dashboard_context

    contract_actions = contracts_needing_action(request.user)

    if request.user.active_hat == Hat.CLIENT:
        profile = client_profile_ensure(user=request.user)
        return render(
            request,
            "web/dashboard_client.html",
            {"profile": profile, "contract_actions": contract_actions, **client_dashboard_context(request.user)},
        )
    profile = freelancer_profile_ensure(user=request.user)
    checklist = [
        (bool(profile.headline), "headline"),
        (profile.skills.exists(), "skills"),
        (profile.hourly_rate_minor is not None, "rate"),
        (profile.portfolio_items.exists(), "portfolio"),
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


def healthz(request):
    """Database reachable and scheduler alive (a heartbeat in the last 3 minutes)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = Heartbeat.objects.filter(name="scheduler").first()
    alive = bool(beat and beat.last_run_at > timezone.now() - timedelta(minutes=3))
    return JsonResponse(
        {"database": "ok", "scheduler": "ok" if alive else "stale", "last_beat": beat and beat.last_run_at}
    )
