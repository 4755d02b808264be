"""The webhook pages: owner only, no writes on GET, a clear message for a refused address, resend re-queues."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from webhooks import events, services
from webhooks.models import Delivery, DeliveryState, Endpoint, new_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_add_an_endpoint_and_see_its_secret(client, owner):
    response = client.post(
        reverse("webhooks:webhook_list"),
        {"url": "https://hooks.example.com/kamai", "events": [events.INVOICE_PAID, events.MILESTONE_FUNDED]},
    )
    hook = Endpoint.objects.get(user=owner)
    assert response.status_code == 302 and response["Location"] == reverse("webhooks:webhook_detail", args=[hook.pk])
    assert hook.events == [events.MILESTONE_FUNDED, events.INVOICE_PAID]
    assert hook.secret.startswith("whsec_")
    page = client.get(reverse("webhooks:webhook_detail", args=[hook.pk])).content.decode()
    assert hook.secret in page and "https://hooks.example.com/kamai" in page
    assert hook.url in client.get(reverse("webhooks:webhook_list")).content.decode()


@pytest.mark.parametrize(
    "url,message",
    [
        ("http://hooks.example.com/kamai", "must start with https://"),
        ("http://127.0.0.1:8000/hooks", "must start with https://"),
        ("ftp://hooks.example.com/", "must start with https://"),
        ("https://10.0.0.5/hooks", "private, local or link-local"),
        ("https://169.254.169.254/latest", "private, local or link-local"),
        ("https://[::1]/hooks", "private, local or link-local"),
        ("https://localhost/hooks", "private, local or link-local"),
    ],
)
def test_an_address_that_is_not_public_https_is_refused(client, owner, settings, url, message):
    settings.KAMAI_WEBHOOKS_ALLOW_HTTP = False
    settings.DEBUG = False
    response = client.post(reverse("webhooks:webhook_list"), {"url": url, "events": [events.INVOICE_PAID]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Endpoint.objects.exists()


def test_plain_http_to_this_machine_only_when_allowed(owner):
    hook = services.endpoint_create(user=owner, url="http://127.0.0.1:9/hooks", events=[events.INVOICE_PAID])
    assert hook.url == "http://127.0.0.1:9/hooks"


def test_at_most_five_endpoints(client, owner):
    for n in range(5):
        services.endpoint_create(user=owner, url=f"https://hooks.example.com/{n}", events=[events.INVOICE_PAID])
    response = client.post(
        reverse("webhooks:webhook_list"), {"url": "https://hooks.example.com/6", "events": [events.INVOICE_PAID]}
    )
    assert "at most 5" in response.content.decode()
    assert Endpoint.objects.filter(user=owner).count() == 5


def test_no_event_chosen_is_refused(client, owner):
    response = client.post(reverse("webhooks:webhook_list"), {"url": "https://hooks.example.com/"})
    assert response.status_code == 200 and not Endpoint.objects.exists()


def _failed_delivery(user):
    hook = Endpoint.objects.create(user=user, url="https://hooks.example.com/", events=[events.INVOICE_PAID])
    return Delivery.objects.create(
        endpoint=hook,
        event=events.INVOICE_PAID,
        payload={"id": "x", "type": events.INVOICE_PAID, "created": "", "data": {}},
        state=DeliveryState.FAILED,
        attempts=6,
        last_status_code=500,
        last_response="down " * 100,
    )


def test_a_stranger_gets_404_and_a_visitor_the_login_page(client, owner):
    delivery = _failed_delivery(owner)
    hook = delivery.endpoint
    client.force_login(UserFactory())
    assert client.get(reverse("webhooks:webhook_detail", args=[hook.pk])).status_code == 404
    assert client.post(reverse("webhooks:webhook_delete", args=[hook.pk]), {"confirm": "1"}).status_code == 404
    assert client.post(reverse("webhooks:webhook_resend", args=[delivery.pk])).status_code == 404
    client.logout()
    for url in (reverse("webhooks:webhook_list"), reverse("webhooks:webhook_detail", args=[hook.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and Endpoint.objects.filter(pk=hook.pk).exists()


def test_resend_requeues_a_failed_delivery(client, owner, monkeypatch, django_capture_on_commit_callbacks):
    delivery = _failed_delivery(owner)
    page = client.get(reverse("webhooks:webhook_detail", args=[delivery.endpoint_id])).content.decode()
    assert "Resend" in page and "down " * 39 in page and "down " * 41 not in page
    sent = []
    monkeypatch.setattr("webhooks.sending._post", lambda url, body, headers: sent.append(url) or (200, "ok", True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:webhook_resend", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert sent == ["https://hooks.example.com/"]
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.SUCCEEDED, 1, 200)


def test_resend_is_only_for_failed_deliveries_and_get_does_nothing(client, owner):
    delivery = _failed_delivery(owner)
    assert client.get(reverse("webhooks:webhook_resend", args=[delivery.pk])).status_code == 405
    assert client.get(reverse("webhooks:webhook_delete", args=[delivery.endpoint_id])).status_code == 405
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SUCCEEDED)
    client.post(reverse("webhooks:webhook_resend", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 6


def test_delete_asks_first_then_deletes(client, owner):
    hook = services.endpoint_create(user=owner, url="https://hooks.example.com/", events=[events.INVOICE_PAID])
    response = client.post(reverse("webhooks:webhook_delete", args=[hook.pk]))
    assert response.status_code == 200 and Endpoint.objects.filter(pk=hook.pk).exists()
    assert client.post(reverse("webhooks:webhook_delete", args=[hook.pk]), {"confirm": "1"}).status_code == 302
    assert not Endpoint.objects.filter(pk=hook.pk).exists()


def test_secrets_differ():
    assert new_secret() != new_secret()
