"""Per-user limits: the request past the limit gets a 429 page (or API answer) with Retry-After, and
nothing is saved; another user still gets through."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from common.throttles import parse_limit
from contracts.tests.helpers import fixed_contract
from marketplace.models import Invitation, Job, Proposal
from marketplace.tests.factories import make_client, make_freelancer, make_job
from marketplace.tests.test_views import job_form
from messaging.models import Message
from messaging.services import conversation_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    def set_limit(scope, limit):
        settings.KAMAI_THROTTLES = {**settings.KAMAI_THROTTLES, scope: limit}

    return set_limit


def assert_refused(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()


def test_limits_parse():
    assert parse_limit("20/m, 300/h") == [(20, 60), (300, 3600)]
    assert parse_limit("5/10m") == [(5, 600)]
    with pytest.raises(ValueError):
        parse_limit("20 per minute")


def test_the_message_past_the_limit_is_refused_and_not_saved(client, limits):
    limits("message", "3/m")
    job = make_job()
    freelancer = make_freelancer()
    conversation = conversation_start(starter=job.client, job=job, freelancer=freelancer)
    url = reverse("messaging:conversation_detail", args=[conversation.pk])
    client.force_login(job.client)
    for n in range(3):
        assert client.post(url, {"body": f"Message {n}"}).status_code == 302
    assert_refused(client.post(url, {"body": "One too many"}))
    assert Message.objects.filter(conversation=conversation).count() == 3
    assert client.get(url).status_code == 200  # reading is never limited
    # The other party has their own allowance.
    client.force_login(freelancer)
    assert client.post(url, {"body": "Reply"}).status_code == 302


def test_the_proposal_past_the_limit_is_refused_and_not_saved(client, limits):
    limits("proposal", "1/h")
    first, second = make_job(), make_job()
    client.force_login(make_freelancer())
    due = (date.today() + timedelta(days=7)).isoformat()
    form = {"cover_letter": "Hello", "bid": "100", "duration": "weeks", "m1_title": "A", "m1_amount": "100"}
    assert (
        client.post(reverse("marketplace:proposal_create", args=[first.pk]), {**form, "m1_due": due}).status_code == 302
    )
    assert_refused(client.post(reverse("marketplace:proposal_create", args=[second.pk]), {**form, "m1_due": due}))
    assert Proposal.objects.count() == 1


def test_the_job_post_past_the_limit_is_refused_and_not_saved(client, limits):
    limits("job_post", "2/h")
    client.force_login(make_client())
    for _ in range(2):
        assert client.post(reverse("marketplace:job_create"), job_form()).status_code == 302
    assert_refused(client.post(reverse("marketplace:job_create"), job_form()))
    assert Job.objects.count() == 2


def test_the_invitation_past_the_limit_is_refused_and_not_sent(client, limits, mailoutbox):
    limits("invitation", "1/h")
    job = make_job()
    first, second = make_freelancer(), make_freelancer()
    client.force_login(job.client)
    url = reverse("marketplace:invite", args=[first.freelancer_profile.slug])
    assert client.post(url, {"job": job.pk, "message": "Interested?"}).status_code == 302
    sent = len(mailoutbox)
    url = reverse("marketplace:invite", args=[second.freelancer_profile.slug])
    assert_refused(client.post(url, {"job": job.pk, "message": "Interested?"}))
    assert Invitation.objects.count() == 1 and len(mailoutbox) == sent


def test_the_api_answers_429_with_retry_after_past_the_limit(client, limits):
    from rest_framework.test import APIClient

    limits("api", "2/m")
    contract = fixed_contract(amounts=("100",))
    api = APIClient()
    api.force_authenticate(contract.client)
    assert [api.get("/api/contracts/").status_code for _ in range(2)] == [200, 200]
    refused = api.get("/api/contracts/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    api.force_authenticate(contract.freelancer)
    assert api.get("/api/contracts/").status_code == 200
