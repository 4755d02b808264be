"""The marketplace's edits through the API, as their pages make them: a job edited field by field with the job
form's checks, a proposal edited and withdrawn by its author, an offer withdrawn by its client, and a review of
an ended offer (once per key, once per side)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from api.tests.test_api_contracts import read_only
from api.tests.test_conventions import assert_problem
from contracts.tests.helpers import key, stranger
from marketplace import services as market_services
from marketplace.models import ContractOffer, Job, Proposal, Review
from marketplace.tests.factories import make_freelancer, make_job, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_a_client_edits_a_job_field_by_field_and_a_refusal_saves_nothing(api):
    job = make_job(title="Shop", budget_min="500", budget_max="1000")
    api.force_authenticate(job.client)
    url = f"/api/jobs/{job.pk}/"
    assert api.get(url).json()["title"] == "Shop"
    response = api.patch(url, {"title": "Shop with payments", "budget_max": "1500"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Shop with payments" and body["budget_max"] == {"amount": "1500.00", "currency": "USD"}
    assert body["budget_min"]["amount"] == "500.00" and body["skills"] == ["web-development"]  # untouched
    refused = assert_problem(api.patch(url, {"budget_min": "2000", "title": "Other"}, format="json"), 409)
    assert "budget_max" in refused["errors"]
    assert_problem(api.patch(url, {"budget_min": "0"}, format="json"), 409)
    assert_problem(api.patch(url, {"skills": ["no-such-skill"]}, format="json"), 400)
    assert_problem(api.patch(url, {"duration": "forever"}, format="json"), 400)
    job.refresh_from_db()
    assert job.title == "Shop with payments" and job.budget_max == Decimal("1500")


def test_a_job_edit_follows_the_services_rules(api):
    job = make_job(currency="USD")
    make_proposal(job)
    api.force_authenticate(job.client)
    assert_problem(api.patch(f"/api/jobs/{job.pk}/", {"currency": "EUR"}, format="json"), 409)
    assert Job.objects.get(pk=job.pk).currency == "USD"


def test_only_the_owner_sees_and_edits_a_job(api):
    job = make_job(title="Shop")
    api.force_authenticate(stranger())
    assert_problem(api.get(f"/api/jobs/{job.pk}/"), 404)
    assert_problem(api.patch(f"/api/jobs/{job.pk}/", {"title": "Mine"}, format="json"), 404)
    api.force_authenticate(None)
    read_only(api, job.client)
    assert api.get(f"/api/jobs/{job.pk}/").status_code == 200
    assert_problem(api.patch(f"/api/jobs/{job.pk}/", {"title": "Mine"}, format="json"), 403)
    assert Job.objects.get(pk=job.pk).title == "Shop"


def test_a_freelancer_edits_a_proposal_until_the_client_opens_it_then_withdraws_it(api):
    job = make_job()
    proposal = make_proposal(job, bid="800")
    api.force_authenticate(proposal.freelancer)
    url = f"/api/proposals/{proposal.pk}/"
    response = api.patch(url, {"bid": "750", "cover_letter": "Three clinic apps."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["bid"] == {"amount": "750.00", "currency": "USD"}
    assert response.json()["duration"] == "weeks"
    assert_problem(api.patch(url, {"bid": "7.505"}, format="json"), 400)
    assert_problem(api.patch(url, {"bid": "0"}, format="json"), 409)
    assert Proposal.objects.get(pk=proposal.pk).bid == Decimal("750")

    market_services.proposal_mark_viewed(proposal=proposal, viewer=job.client)
    assert_problem(api.patch(url, {"bid": "700"}, format="json"), 409)
    assert Proposal.objects.get(pk=proposal.pk).bid == Decimal("750")

    withdrawn = api.post(f"/api/proposals/{proposal.pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert_problem(api.post(f"/api/proposals/{proposal.pk}/withdraw/"), 409)


def test_only_the_author_edits_or_withdraws_a_proposal(api):
    job = make_job()
    proposal = make_proposal(job)
    api.force_authenticate(job.client)
    assert_problem(api.patch(f"/api/proposals/{proposal.pk}/", {"bid": "1"}, format="json"), 404)
    assert_problem(api.post(f"/api/proposals/{proposal.pk}/withdraw/"), 403)
    api.force_authenticate(stranger())
    assert_problem(api.patch(f"/api/proposals/{proposal.pk}/", {"bid": "1"}, format="json"), 404)
    assert_problem(api.post(f"/api/proposals/{proposal.pk}/withdraw/"), 404)
    api.force_authenticate(None)
    read_only(api, proposal.freelancer)
    assert_problem(api.patch(f"/api/proposals/{proposal.pk}/", {"bid": "1"}, format="json"), 403)
    assert_problem(api.post(f"/api/proposals/{proposal.pk}/withdraw/"), 403)
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"


def _offer():
    job = make_job()
    proposal = make_proposal(job, make_freelancer())
    return market_services.proposal_hire(proposal=proposal, client=job.client)


def test_the_client_withdraws_an_unanswered_offer(api):
    offer = _offer()
    url = f"/api/offers/{offer.pk}/withdraw/"
    api.force_authenticate(offer.freelancer)
    assert_problem(api.post(url), 403)
    api.force_authenticate(stranger())
    assert_problem(api.post(url), 404)
    api.force_authenticate(None)
    read_only(api, offer.client)
    assert_problem(api.post(url), 403)
    api.credentials()
    api.force_authenticate(offer.client)
    response = api.post(url)
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert_problem(api.post(url), 409)
    assert_problem(api.post(f"/api/offers/{offer.pk}/accept/"), 403)


def test_each_side_reviews_an_ended_offer_once(api):
    offer = _offer()
    url = f"/api/offers/{offer.pk}/review/"
    api.force_authenticate(offer.client)
    assert_problem(api.post(url, {"rating": 5}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)  # not ended
    market_services.offer_respond(offer=offer, freelancer=offer.freelancer, accept=True)
    market_services.offer_end(offer=offer, user=offer.client)
    assert "Idempotency-Key" in assert_problem(api.post(url, {"rating": 5}, format="json"), 400)["errors"]
    assert_problem(api.post(url, {"rating": 6}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    same = key()
    first = api.post(url, {"rating": 5, "text": "Great work"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert first.json()["rating"] == 5 and first.json()["revealed_at"] is None
    again = api.post(url, {"rating": 5, "text": "Great work"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert_problem(api.post(url, {"rating": 4}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    assert_problem(api.post(url, {"rating": 4}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)  # once a side
    assert Review.objects.count() == 1

    api.force_authenticate(stranger())
    assert_problem(api.post(url, {"rating": 1}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    api.force_authenticate(None)
    read_only(api, offer.freelancer)
    assert_problem(api.post(url, {"rating": 1}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    api.credentials()
    api.force_authenticate(offer.freelancer)
    theirs = api.post(url, {"rating": 4}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert theirs.status_code == 201 and theirs.json()["revealed_at"]  # both sides wrote: revealed
    assert ContractOffer.objects.get(pk=offer.pk).reviews.count() == 2
