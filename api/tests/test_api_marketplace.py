"""The marketplace through the API: a client's jobs (create, publish, close), proposals (send, list, shortlist,
decline, hire) and offers (list, accept, decline). Same services and object checks as the pages."""

import pytest
from rest_framework.test import APIClient

from api.tests.test_api_contracts import read_only
from api.tests.test_conventions import assert_problem
from contracts.models import Contract
from contracts.tests.helpers import key, stranger
from marketplace.models import ContractOffer, Job, Proposal
from marketplace.tests.factories import make_client, make_freelancer, make_job

pytestmark = pytest.mark.django_db

JOB = {
    "title": "Clinic booking app",
    "description": "Flutter app with bookings.",
    "skills": ["web-development"],
    "budget_type": "fixed",
    "currency": "USD",
    "budget_min": "500",
    "budget_max": "900.50",
    "duration": "weeks",
    "experience_level": "intermediate",
}
PROPOSAL = {"cover_letter": "I built three clinic apps.", "bid": "800", "duration": "weeks"}


@pytest.fixture
def api():
    return APIClient()


def test_a_client_creates_a_draft_once_per_key_publishes_and_closes_it(api):
    client = make_client()
    api.force_authenticate(client)
    assert "Idempotency-Key" in assert_problem(api.post("/api/jobs/mine/", JOB, format="json"), 400)["errors"]
    same = key()
    first = api.post("/api/jobs/mine/", JOB, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    again = api.post("/api/jobs/mine/", JOB, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert Job.objects.count() == 1
    job = first.json()
    assert job["state"] == "draft" and job["budget_max"] == {"amount": "900.50", "currency": "USD"}
    assert job["skills"] == ["web-development"]
    assert_problem(
        api.post("/api/jobs/mine/", {**JOB, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409
    )
    assert_problem(api.post("/api/jobs/mine/", {**JOB, "skills": ["no-such"]}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key()), 400)  # fmt: skip
    assert [row["id"] for row in api.get("/api/jobs/mine/").json()["results"]] == [job["id"]]
    assert api.post(f"/api/jobs/{job['id']}/publish/").json()["state"] == "open"
    assert api.post(f"/api/jobs/{job['id']}/close/").json()["state"] == "closed"
    assert_problem(api.post(f"/api/jobs/{job['id']}/close/"), 409)
    api.force_authenticate(stranger())
    assert api.get("/api/jobs/mine/").json()["results"] == []
    assert_problem(api.post(f"/api/jobs/{job['id']}/publish/"), 404)


def test_proposals_are_sent_once_listed_and_answered_by_the_owner(api):
    job = make_job()
    freelancer = make_freelancer()
    api.force_authenticate(freelancer)
    url = f"/api/jobs/{job.pk}/proposals/"
    assert_problem(api.post(url, PROPOSAL, format="json"), 400)
    same = key()
    first = api.post(url, PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert api.post(url, PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY=same).json() == first.json()
    assert Proposal.objects.count() == 1
    proposal = first.json()
    assert proposal["bid"] == {"amount": "800.00", "currency": "USD"}
    assert [row["id"] for row in api.get("/api/proposals/mine/").json()["results"]] == [proposal["id"]]
    assert_problem(api.get(url), 404)  # only the job's owner lists its proposals
    assert_problem(api.post(f"/api/proposals/{proposal['id']}/shortlist/"), 403)

    api.force_authenticate(job.client)
    listed = api.get(url)
    assert [row["id"] for row in listed.json()["results"]] == [proposal["id"]]
    assert freelancer.email not in listed.content.decode()
    assert api.post(f"/api/proposals/{proposal['id']}/shortlist/").json()["state"] == "shortlisted"
    response = api.post(f"/api/proposals/{proposal['id']}/decline/", {"reason": "Picked another"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "declined"

    api.force_authenticate(stranger())
    assert_problem(api.get(url), 404)
    for action in ("shortlist", "decline"):
        assert_problem(api.post(f"/api/proposals/{proposal['id']}/{action}/"), 404)


def test_hire_sends_an_offer_once_and_the_freelancer_accepts_it(api):
    job = make_job()
    freelancer = make_freelancer()
    api.force_authenticate(freelancer)
    proposal = api.post(f"/api/jobs/{job.pk}/proposals/", PROPOSAL, format="json", HTTP_IDEMPOTENCY_KEY=key()).json()
    api.force_authenticate(job.client)
    hire = f"/api/proposals/{proposal['id']}/hire/"
    assert_problem(api.post(hire), 400)
    same = key()
    first = api.post(hire, HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert api.post(hire, HTTP_IDEMPOTENCY_KEY=same).json() == first.json()
    assert ContractOffer.objects.count() == 1
    offer = first.json()
    assert offer["state"] == "offered" and offer["amount"] == {"amount": "800.00", "currency": "USD"}
    assert_problem(api.post(f"/api/offers/{offer['id']}/accept/"), 403)  # the freelancer answers

    api.force_authenticate(stranger())
    assert_problem(api.post(f"/api/offers/{offer['id']}/accept/"), 404)
    assert api.get("/api/offers/").json()["results"] == []

    api.force_authenticate(freelancer)
    offers = api.get("/api/offers/")
    assert [row["id"] for row in offers.json()["results"]] == [offer["id"]]
    assert job.client.email not in offers.content.decode()
    assert api.post(f"/api/offers/{offer['id']}/accept/").json()["state"] == "accepted"
    assert Contract.objects.filter(freelancer=freelancer).count() == 1
    assert_problem(api.post(f"/api/offers/{offer['id']}/decline/"), 409)


def test_read_only_tokens_cannot_create_jobs_or_proposals(api):
    job = make_job()
    read_only(api, job.client)
    assert api.get("/api/jobs/mine/").status_code == 200
    assert_problem(api.post("/api/jobs/mine/", JOB, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert_problem(api.post(f"/api/jobs/{job.pk}/close/"), 403)
    assert Job.objects.count() == 1
