"""Webhook endpoints through the API, with the /webhooks/ pages' rules: HTTPS to a public address only, at most
five, at least one event; deliveries listed with their answers and a failed one sent again. Everything is its
owner's alone."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from api.tests.test_api_contracts import read_only
from api.tests.test_conventions import assert_problem
from contracts.tests.helpers import key, stranger
from webhooks import events
from webhooks.models import Delivery, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db
HOOK = {"url": "https://hooks.example.com/kamai", "events": [events.INVOICE_PAID, events.MILESTONE_RELEASED]}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def _public_addresses_only(settings):
    settings.KAMAI_WEBHOOKS_ALLOW_HTTP = False
    settings.DEBUG = False


def test_an_endpoint_is_added_once_per_key_listed_read_and_deleted(api):
    owner = UserFactory()
    api.force_authenticate(owner)
    assert "Idempotency-Key" in assert_problem(api.post("/api/webhooks/", HOOK, format="json"), 400)["errors"]
    same = key()
    first = api.post("/api/webhooks/", HOOK, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["url"] == HOOK["url"] and body["secret"].startswith("whsec_")
    assert body["events"] == [name for name in events.EVENTS if name in HOOK["events"]]
    assert api.post("/api/webhooks/", HOOK, format="json", HTTP_IDEMPOTENCY_KEY=same).json() == body
    other = {**HOOK, "url": "https://hooks.example.com/other"}
    assert_problem(api.post("/api/webhooks/", other, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    assert Endpoint.objects.count() == 1
    assert [row["id"] for row in api.get("/api/webhooks/").json()["results"]] == [body["id"]]
    assert api.get(f"/api/webhooks/{body['id']}/").json() == body
    assert api.delete(f"/api/webhooks/{body['id']}/").status_code == 204
    assert not Endpoint.objects.exists()
    assert_problem(api.get(f"/api/webhooks/{body['id']}/"), 404)


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.com/", "https://10.0.0.5/hooks", "https://127.0.0.1/hooks", "https://localhost/x",
     "https://[::1]/hooks", "https://169.254.169.254/latest", "not an address"],
)  # fmt: skip
def test_an_address_that_is_not_public_https_is_a_409_and_nothing_is_saved(api, url):
    api.force_authenticate(UserFactory())
    assert_problem(api.post("/api/webhooks/", {**HOOK, "url": url}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert not Endpoint.objects.exists()


def test_the_pages_limits_hold(api):
    api.force_authenticate(UserFactory())
    assert_problem(api.post("/api/webhooks/", {**HOOK, "events": []}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert_problem(api.post("/api/webhooks/", {**HOOK, "events": ["no.such"]}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key()), 400)  # fmt: skip
    for n in range(5):
        made = api.post("/api/webhooks/", {**HOOK, "url": f"https://hooks.example.com/{n}"}, format="json",
                        HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
        assert made.status_code == 201
    refused = api.post("/api/webhooks/", HOOK, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert "at most 5" in assert_problem(refused, 409)["detail"]
    assert Endpoint.objects.count() == 5


def _failed_delivery(user):
    hook = Endpoint.objects.create(user=user, url="https://hooks.example.com/", events=[events.INVOICE_PAID])
    return Delivery.objects.create(
        endpoint=hook, event=events.INVOICE_PAID, payload={"id": "x", "type": events.INVOICE_PAID, "data": {}},
        state=DeliveryState.FAILED, attempts=6, last_status_code=500, last_response="down",
    )  # fmt: skip


def test_deliveries_are_listed_and_a_failed_one_is_sent_again(api, monkeypatch, django_capture_on_commit_callbacks):
    owner = UserFactory()
    delivery = _failed_delivery(owner)
    api.force_authenticate(owner)
    [row] = api.get(f"/api/webhooks/{delivery.endpoint_id}/deliveries/").json()["results"]
    assert (row["id"], row["state"], row["last_status_code"], row["last_response"]) == (
        delivery.pk,
        "failed",
        500,
        "down",
    )
    sent = []
    monkeypatch.setattr("webhooks.sending._post", lambda url, body, headers: sent.append(url) or (200, "ok", True))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/webhook-deliveries/{delivery.pk}/resend/")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "pending" and response.json()["attempts"] == 0
    assert sent == ["https://hooks.example.com/"]
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.SUCCEEDED
    assert_problem(api.post(f"/api/webhook-deliveries/{delivery.pk}/resend/"), 409)  # only a failed one


def test_a_stranger_gets_404s_and_a_read_only_token_changes_nothing(api):
    owner = UserFactory()
    delivery = _failed_delivery(owner)
    hook = delivery.endpoint
    api.force_authenticate(stranger())
    assert api.get("/api/webhooks/").json()["results"] == []
    assert_problem(api.get(f"/api/webhooks/{hook.pk}/"), 404)
    assert_problem(api.get(f"/api/webhooks/{hook.pk}/deliveries/"), 404)
    assert_problem(api.delete(f"/api/webhooks/{hook.pk}/"), 404)
    assert_problem(api.post(f"/api/webhook-deliveries/{delivery.pk}/resend/"), 404)
    api.force_authenticate(None)
    read_only(api, owner)
    assert api.get(f"/api/webhooks/{hook.pk}/deliveries/").status_code == 200
    assert_problem(api.post("/api/webhooks/", HOOK, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert_problem(api.delete(f"/api/webhooks/{hook.pk}/"), 403)
    assert_problem(api.post(f"/api/webhook-deliveries/{delivery.pk}/resend/"), 403)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and Endpoint.objects.count() == 1
