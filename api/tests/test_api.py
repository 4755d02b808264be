import pytest
from rest_framework.test import APIClient

from contracts.models import MilestoneState
from contracts.tests.helpers import assert_ledger_clean, fixed_contract, key, stranger, wallet
from ledger.models import Transaction
from marketplace.tests.factories import make_freelancer, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_schema_is_served(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/milestones/{id}/approve/" in response.content


def test_job_and_freelancer_search_are_public_and_money_is_a_string(api):
    make_job(title="Flutter app for a clinic", budget_min="500", budget_max="900")
    make_freelancer(name="Bilal", headline="Flutter apps")
    jobs = api.get("/api/jobs/", {"q": "flutter"}).json()
    assert len(jobs["results"]) == 1 and jobs["next"] is None
    assert jobs["results"][0]["budget_min"] == {"amount": "500.00", "currency": "USD"}
    assert api.get("/api/freelancers/", {"q": "flutter"}).json()["results"][0]["display_name"] == "Bilal"


def test_fund_and_approve_need_a_key_and_happen_once(api):
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    api.force_authenticate(contract.client)
    url = f"/api/milestones/{milestone.pk}/fund/"
    assert api.post(url, {"provider": "sandbox"}, format="json").status_code == 400  # no Idempotency-Key
    same = key()
    for _ in range(3):
        response = api.post(url, {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
        assert response.status_code == 200
    assert response.json()["state"] == MilestoneState.FUNDED
    assert Transaction.objects.filter(kind="escrow_fund").count() == 1

    from contracts import services

    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
    approve = f"/api/milestones/{milestone.pk}/approve/"
    api.force_authenticate(contract.freelancer)
    assert api.post(approve, HTTP_IDEMPOTENCY_KEY=key()).status_code == 403  # only the client approves
    api.force_authenticate(contract.client)
    response = api.post(approve, HTTP_IDEMPOTENCY_KEY=key())
    assert response.status_code == 200 and response.json()["state"] == "released"
    assert api.post(approve, HTTP_IDEMPOTENCY_KEY=key()).status_code == 409  # already released
    assert wallet(contract.freelancer) == 95
    api.force_authenticate(contract.freelancer)
    balances = api.get("/api/wallet/").json()
    assert {"currency": "USD", "available": "95.00"}.items() <= balances[0].items()
    assert_ledger_clean()


def test_strangers_and_anonymous_are_refused(api):
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    assert api.get("/api/contracts/").status_code == 401  # with a WWW-Authenticate: Token challenge
    assert api.get("/api/wallet/").status_code == 401
    api.force_authenticate(stranger())
    assert api.get(f"/api/contracts/{contract.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/milestones/{milestone.pk}/fund/", {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=key()
        ).status_code
        == 404
    )
    assert api.get("/api/contracts/").json()["results"] == []


def test_token_page_creates_rotates_and_revokes_and_the_token_works(client):
    from django.urls import reverse
    from rest_framework.authtoken.models import Token

    contract = fixed_contract(amounts=("100",))
    response = client.get(reverse("api:api_token"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(contract.client)
    client.post(reverse("api:api_token"), {"action": "rotate"})
    first = Token.objects.get(user=contract.client).key
    assert first in client.get(reverse("api:api_token")).content.decode()
    client.post(reverse("api:api_token"), {"action": "rotate"})
    second = Token.objects.get(user=contract.client).key
    assert second != first

    api = APIClient()  # a program, no session: the token is its only credential
    assert api.get("/api/contracts/", HTTP_AUTHORIZATION=f"Token {first}").status_code in (401, 403)
    response = api.get("/api/contracts/", HTTP_AUTHORIZATION=f"Token {second}")
    assert response.status_code == 200 and response.json()["results"][0]["id"] == contract.pk
    milestone = contract.milestones.get()
    response = api.post(f"/api/milestones/{milestone.pk}/fund/", {"provider": "sandbox"}, format="json",
                        HTTP_AUTHORIZATION=f"Token {second}", HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert response.status_code == 200 and response.json()["state"] == "funded"

    client.post(reverse("api:api_token"), {"action": "revoke"})
    assert not Token.objects.filter(user=contract.client).exists()
    assert api.get("/api/contracts/", HTTP_AUTHORIZATION=f"Token {second}").status_code in (401, 403)
    # Another user's page shows only their own (no) token.
    client.force_login(contract.freelancer)
    assert second not in client.get(reverse("api:api_token")).content.decode()


def test_contracts_show_the_parties_by_name_never_the_counterpartys_email(api):
    contract = fixed_contract(amounts=("100",))
    client_user, freelancer_user = contract.client, contract.freelancer
    for viewer, counterparty in ((client_user, freelancer_user), (freelancer_user, client_user)):
        api.force_authenticate(viewer)
        for url in ("/api/contracts/", f"/api/contracts/{contract.pk}/"):
            response = api.get(url)
            assert response.status_code == 200
            text = response.content.decode()
            assert counterparty.email not in text and counterparty.email.split("@")[1] not in text, url
            data = response.json()
            row = data["results"][0] if "results" in data else data
            assert (row["client"], row["freelancer"]) == (client_user.name, freelancer_user.name)
