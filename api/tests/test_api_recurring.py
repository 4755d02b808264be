"""Recurring invoices and an invoice's reminders through the API: the same invoicing services as the pages.
A stranger gets a 404 problem, a read-only token a 403, a template is created once per key."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.tests.test_api_invoicing import key, read_only
from api.tests.test_conventions import assert_problem
from contracts.tests.helpers import stranger
from invoicing import services as invoicing_services
from invoicing.models import Invoice, RecurringTemplate
from invoicing.tests.factories import ClientFactory, make_invoice

pytestmark = pytest.mark.django_db
URL = "/api/recurring-invoices/"


@pytest.fixture
def api():
    return APIClient()


def template_body(client, **extra):
    return {
        "client": client.pk,
        "title": "Monthly retainer",
        "currency": "USD",
        "frequency": "monthly",
        "start_date": str(timezone.localdate()),
        "max_count": 3,
        "lines": [{"description": "Support", "quantity": "1", "unit_price": "400.00"}],
        "taxes": [{"name": "Sales tax", "rate_percent": "5"}],
        **extra,
    }


def test_a_recurring_invoice_is_created_once_per_key_listed_runs_and_stops(api):
    client = ClientFactory()
    api.force_authenticate(client.freelancer)
    body = template_body(client)
    assert "Idempotency-Key" in assert_problem(api.post(URL, body, format="json"), 400)["errors"]
    same = key()
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    made = first.json()
    assert made["active"] is True and made["next_run_date"] == body["start_date"] and made["client"] == client.pk
    assert made["lines"] == [{"description": "Support", "quantity": "1.000", "unit_price": "400.00"}]
    assert made["taxes"][0]["name"] == "Sales tax"
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == made
    assert_problem(api.post(URL, {**body, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    assert RecurringTemplate.objects.count() == 1
    assert [row["id"] for row in api.get(URL).json()["results"]] == [made["id"]]
    # The daily job issues the first one, as it does for a template made on the page.
    assert invoicing_services.recurring_run() == 1
    assert api.get(f"{URL}{made['id']}/").json()["issued_count"] == 1
    stopped = api.post(f"{URL}{made['id']}/stop/")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert not RecurringTemplate.objects.get().active


def test_refusals_save_nothing(api):
    client = ClientFactory()
    api.force_authenticate(client.freelancer)
    today = timezone.localdate()
    bad_end = template_body(client, end_date=str(today - timedelta(days=1)))
    assert_problem(api.post(URL, bad_end, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)  # the service's rule
    zero = template_body(client, lines=[{"description": "Free", "quantity": "1", "unit_price": "0"}])
    assert_problem(api.post(URL, zero, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert_problem(api.post(URL, template_body(client, frequency="daily"), format="json",
                            HTTP_IDEMPOTENCY_KEY=key()), 400)  # fmt: skip
    assert_problem(api.post(URL, template_body(client, lines=[]), format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert_problem(api.post(URL, template_body(ClientFactory()), format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    assert_problem(api.post(URL, template_body(client, payment_method=999), format="json",
                            HTTP_IDEMPOTENCY_KEY=key()), 404)  # fmt: skip
    assert not RecurringTemplate.objects.exists()


def test_a_stranger_sees_none_and_a_read_only_token_changes_nothing(api):
    client = ClientFactory()
    api.force_authenticate(client.freelancer)
    made = api.post(URL, template_body(client), format="json", HTTP_IDEMPOTENCY_KEY=key()).json()
    api.force_authenticate(stranger())
    assert api.get(URL).json()["results"] == []
    assert_problem(api.get(f"{URL}{made['id']}/"), 404)
    assert_problem(api.post(f"{URL}{made['id']}/stop/"), 404)
    api.force_authenticate(None)
    read_only(api, client.freelancer)
    assert api.get(URL).status_code == 200
    assert_problem(api.post(f"{URL}{made['id']}/stop/"), 403)
    assert_problem(api.post(URL, template_body(client), format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert RecurringTemplate.objects.get().active and RecurringTemplate.objects.count() == 1


def test_an_invoices_reminders_are_switched_off_and_on(api):
    invoice = make_invoice()
    api.force_authenticate(invoice.freelancer)
    url = f"/api/invoices/{invoice.pk}/reminders/"
    response = api.post(url, {"enabled": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reminders_enabled"] is False
    assert api.post(url, {"enabled": True}, format="json").json()["reminders_enabled"] is True
    assert_problem(api.post(url, {"enabled": "maybe"}, format="json"), 400)
    api.force_authenticate(stranger())
    assert_problem(api.post(url, {"enabled": False}, format="json"), 404)
    assert Invoice.objects.get(pk=invoice.pk).reminders_enabled is True
