from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import FreelancerProfile, User
from insights.services import insight_snapshot_refresh
from insights.tests.helpers import clients, freelancers, paid_invoice
from marketplace.tests.factories import make_job

pytestmark = pytest.mark.django_db


def test_skills_rates_and_pseb_need_five_people_each():
    freelancers(5, skills=("web-development",), rate="40", pseb=True)
    freelancers(1, skills=("web-development",), rate="900")  # an outlier moves a median by one place at most
    freelancers(4, skills=("graphic-design",), rate="25")
    freelancers(3, skills=("graphic-design",), rate="3000", currency="PKR")
    data = insight_snapshot_refresh().data
    offered = {row["name"]: row["freelancers"] for row in data["skills"]["offered"]}
    assert offered["Web development"] == 6
    assert offered["Graphic design"] == 7  # but only 4 of them quote in USD
    rates = {row["name"]: row["median_minor"] for row in data["rates"]["rows"]}
    assert rates == {"Web development": 4000}
    assert data["rates"]["overall_freelancers"] == 10
    assert data["pseb"] == {"shown": True, "registered": 5, "total": 13, "percent": 38}


def test_pseb_is_hidden_when_either_side_is_small():
    freelancers(6, pseb=True)
    freelancers(2)
    assert insight_snapshot_refresh().data["pseb"] == {"shown": False}


def test_expired_pseb_registration_does_not_count():
    freelancers(5, pseb=True)
    freelancers(5)
    FreelancerProfile.objects.filter(pseb_registration_number__gt="").update(
        pseb_expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert insight_snapshot_refresh().data["pseb"] == {"shown": False}


def test_demanded_skills_count_open_jobs_from_five_clients():
    for _ in range(5):
        make_job(skills=("web-development",))
    make_job(skills=("web-development",), client=User.objects.filter(active_hat="client").first())
    for _ in range(4):
        make_job(skills=("graphic-design",))
    skills = insight_snapshot_refresh().data["skills"]
    assert [(row["name"], row["open_jobs"]) for row in skills["demanded"]] == [("Web development", 6)]
    assert skills["demanded_suppressed"] == 1


def test_clients_by_country():
    clients(5, country="US")
    clients(2, country="DE")
    countries = insight_snapshot_refresh().data["countries"]
    assert countries == {"rows": [{"country": "US", "clients": 5}], "suppressed": 1}


def test_invoice_payment_days_median():
    for days in (3, 5, 10, 12, 40):
        paid_invoice(days_to_pay=days)
    invoices = insight_snapshot_refresh().data["invoices"]
    assert invoices == {"shown": True, "median_days": 10, "invoices": 5}


def test_invoice_payment_days_hidden_for_fewer_than_five_clients():
    for days in (3, 5, 10, 12):
        paid_invoice(days_to_pay=days)
    assert insight_snapshot_refresh().data["invoices"] == {"shown": False}
