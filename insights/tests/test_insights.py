import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from accounts.models import ClientProfile, FreelancerProfile
from insights import selectors
from insights.models import InsightSnapshot
from insights.services import insight_snapshot_refresh
from insights.tests.helpers import clients, freelancers, paid_invoice, released_milestone
from invoicing.tests.factories import ClientFactory
from web.tests.test_page_weight import BUDGET, page_weight

pytestmark = pytest.mark.django_db


def test_snapshot_computes_on_the_demo_world_and_the_page_shows_it(client):
    call_command("seed_demo")
    snapshot = insight_snapshot_refresh()
    assert set(snapshot.data) >= {"cities", "pseb", "skills", "rates", "countries", "escrow", "release", "invoices"}
    response = client.get(reverse("insights:insights"))
    assert response.status_code == 200
    assert "fewer than 5" in response.content.decode()


def test_small_cities_are_suppressed_and_groups_of_five_are_shown(client):
    freelancers(3, city="quetta")
    freelancers(5, city="lahore")
    cities = insight_snapshot_refresh().data["cities"]
    assert cities["rows"] == [{"city": "lahore", "freelancers": 5}]
    assert cities["suppressed"] == 1
    page = client.get(reverse("insights:insights")).content.decode()
    assert "Lahore" in page
    assert "Quetta" not in page
    assert "1 more city has fewer than 5 freelancers" in page


def test_escrow_release_timing_and_monthly_totals_need_five_freelancers_and_clients(client):
    for n in range(4):
        released_milestone(amount="100", automatic=n == 0)
    data = insight_snapshot_refresh().data
    assert data["release"] == {"shown": False}
    assert data["escrow"]["series"] == {}
    assert data["escrow"]["suppressed"] == 1

    released_milestone(amount="100.25")
    data = insight_snapshot_refresh().data
    assert data["release"]["shown"] is True
    assert data["release"]["milestones"] == 5
    assert data["release"]["automatic"] == 1
    assert data["escrow"]["series"]["USD"][-1] == 50025  # exact minor units
    page = client.get(reverse("insights:insights")).content.decode()
    assert "$500.25" in page
    assert "<svg" in page


def test_no_personal_data_in_the_snapshot_or_the_page(client):
    call_command("seed_demo")
    for city in ("lahore", "karachi"):
        freelancers(5, city=city, skills=("web-development",), pseb=city == "lahore")
    clients(5, country="GB")
    for _ in range(5):
        released_milestone()
        paid_invoice(days_to_pay=7)
    snapshot = insight_snapshot_refresh()
    page = client.get(reverse("insights:insights")).content.decode()
    text = json.dumps(snapshot.data, ensure_ascii=False)
    personal = set()
    for profile in FreelancerProfile.objects.select_related("user"):
        personal |= {profile.display_name, profile.slug, profile.user.email}
    for profile in ClientProfile.objects.select_related("user"):
        personal |= {profile.name, profile.user.email}
    for direct in ClientFactory._meta.model.objects.all():
        personal |= {direct.name, direct.email}
    personal.discard("")
    assert len(personal) > 50
    for value in personal:
        assert value not in text, value
        assert value not in page, value


def test_page_is_public_light_and_works_in_urdu(client):
    call_command("seed_demo")
    freelancers(5, city="lahore", skills=("web-development",))
    insight_snapshot_refresh()
    total, assets = page_weight(client, reverse("insights:insights"))
    print(f"insights page weight: {total} bytes")
    assert "/static/web/site.css" in assets
    assert total < BUDGET, total
    client.post(reverse("set_language"), {"language": "ur", "next": "/"})
    response = client.get(reverse("insights:insights"))
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
    assert "لاہور" in response.content.decode()
    assert "صنعت کے اعداد و شمار" in response.content.decode()


def test_before_the_first_night_the_page_shows_figures_without_storing_them(client):
    freelancers(5, city="multan")
    assert not InsightSnapshot.objects.exists()
    response = client.get(reverse("insights:insights"))
    assert response.status_code == 200 and "Multan" in response.content.decode()
    assert not InsightSnapshot.objects.exists()  # a GET writes nothing; the nightly job stores snapshots


def test_refreshing_twice_keeps_one_current_snapshot_and_the_page_uses_the_latest(client):
    call_command("insights_refresh")
    freelancers(5, city="multan")
    call_command("insights_refresh")
    assert InsightSnapshot.objects.count() == 1
    assert "Multan" in client.get(reverse("insights:insights")).content.decode()
    tomorrow = timezone.now() + timedelta(days=1)
    insight_snapshot_refresh(now=tomorrow)
    assert InsightSnapshot.objects.count() == 2
    assert selectors.latest_snapshot().computed_at == tomorrow


def test_nightly_task_is_registered():
    from datetime import datetime

    from insights.tasks import refresh_insights

    assert refresh_insights.task_class in HUEY._registry._periodic_tasks
    # 21:30 UTC (Huey's clock) is 02:30 in Pakistan.
    task = refresh_insights.task_class()
    assert task.validate_datetime(datetime(2025, 6, 1, 21, 30))
    assert not task.validate_datetime(datetime(2025, 6, 1, 2, 30))
    refresh_insights.call_local()
    assert InsightSnapshot.objects.count() == 1


def test_no_float_in_insights():
    for path in Path(__file__).resolve().parents[1].rglob("*.py"):
        if "tests" not in path.parts:
            assert "float(" not in path.read_text(), path
