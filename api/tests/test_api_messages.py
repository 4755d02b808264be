"""Messages through the API: your conversations, a conversation's messages, sending one (Idempotency-Key, the
page's limit). Only its two people see a conversation; no e-mail address is sent."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import ClientProfileFactory, FreelancerProfileFactory
from api.models import TokenScope
from api.tests.test_conventions import assert_problem
from contracts.tests.helpers import key
from marketplace import services as market_services
from messaging import services as messaging_services
from messaging.models import Message
from messaging.tests.conftest import Deal, make_job, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def deal() -> Deal:
    client = ClientProfileFactory(name="Acme Traders").user
    freelancer = FreelancerProfileFactory(display_name="Ayesha Siddiqui").user
    proposal = make_proposal(make_job(client), freelancer)
    offer = market_services.proposal_hire(proposal=proposal, client=client)
    return Deal(client=client, freelancer=freelancer, job=proposal.job, proposal=proposal, offer=offer)


@pytest.fixture
def stranger():
    return FreelancerProfileFactory(display_name="Someone Else").user


def test_conversations_are_the_participants(api, deal, stranger):
    conversation = deal.conversation()
    messaging_services.message_send(conversation=conversation, sender=deal.client, body="Hello")
    api.force_authenticate(deal.freelancer)
    response = api.get("/api/conversations/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [conversation.pk]
    assert rows[0]["other_party"] == "Acme Traders" and rows[0]["unread"] == 1
    assert "@" not in response.content.decode()
    api.force_authenticate(stranger)
    assert api.get("/api/conversations/").json()["results"] == []
    assert_problem(api.get(f"/api/conversations/{conversation.pk}/messages/"), 404)
    url = f"/api/conversations/{conversation.pk}/messages/"
    assert_problem(api.post(url, {"body": "Hi"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    assert Message.objects.count() == 1


def test_a_message_is_sent_once_per_key(api, deal):
    conversation = deal.conversation()
    api.force_authenticate(deal.freelancer)
    url = f"/api/conversations/{conversation.pk}/messages/"
    assert "Idempotency-Key" in assert_problem(api.post(url, {"body": "Hi"}, format="json"), 400)["errors"]
    assert_problem(api.post(url, {"body": "   "}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    same = key()
    first = api.post(url, {"body": "Salaam, I can start Monday."}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert first.json()["mine"] is True and first.json()["sender"] == "Ayesha Siddiqui"
    again = api.post(url, {"body": "Salaam, I can start Monday."}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert Message.objects.count() == 1
    assert_problem(api.post(url, {"body": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    api.force_authenticate(deal.client)
    listing = api.get(url)
    rows = listing.json()["results"]
    assert [row["body"] for row in rows] == ["Salaam, I can start Monday."] and rows[0]["mine"] is False
    assert "@" not in listing.content.decode()


def test_messages_are_cursor_pages_newest_first(api, deal):
    conversation = deal.conversation()
    sent = [messaging_services.message_send(conversation=conversation, sender=deal.client, body=f"m{n}")
            for n in range(22)]  # fmt: skip
    api.force_authenticate(deal.freelancer)
    first = api.get(f"/api/conversations/{conversation.pk}/messages/").json()
    second = api.get(first["next"]).json()
    assert [row["id"] for row in first["results"] + second["results"]] == [m.pk for m in reversed(sent)]


def test_sending_is_limited_as_on_the_page(api, deal, settings):
    settings.KAMAI_THROTTLES = {**settings.KAMAI_THROTTLES, "message": "2/m"}
    conversation = deal.conversation()
    api.force_authenticate(deal.client)
    url = f"/api/conversations/{conversation.pk}/messages/"
    for n in range(2):
        assert api.post(url, {"body": f"m{n}"}, format="json", HTTP_IDEMPOTENCY_KEY=key()).status_code == 201
    response = api.post(url, {"body": "m3"}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert Message.objects.count() == 2


def test_a_read_only_token_cannot_send(api, deal):
    conversation = deal.conversation()
    token = Token.objects.create(user=deal.client)
    TokenScope.objects.create(token=token, read_only=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/conversations/{conversation.pk}/messages/"
    assert api.get(url).status_code == 200
    assert_problem(api.post(url, {"body": "Hi"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert not Message.objects.exists()
