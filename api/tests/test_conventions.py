"""The API's conventions: one error format (RFC 9457 problems), cursor pages, read-only tokens and
Idempotency-Key semantics."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.models import TokenScope
from contracts.tests.helpers import assert_ledger_clean, fixed_contract, key
from ledger.models import Transaction
from marketplace.tests.factories import make_job

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def api():
    return APIClient()


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"] and "detail" in body
    return body


def test_an_unknown_api_address_is_a_404_problem_not_the_html_page(api):
    assert_problem(api.get("/api/no-such-thing/"), 404)
    assert_problem(api.post("/api/contracts/1/nope"), 404)
    assert_problem(api.get("/api/contracts/%C3%8B%0Aig/"), 404)  # a newline in the path (schemathesis found it)


def test_invalid_fields_are_a_400_problem_with_field_errors(api):
    contract = fixed_contract(amounts=("100",))
    api.force_authenticate(contract.client)
    url = f"/api/milestones/{contract.milestones.get().pk}/fund/"
    body = assert_problem(api.post(url, {"provider": "cash"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert list(body["errors"]) == ["provider"]
    body = assert_problem(api.post(url, {"provider": "sandbox"}, format="json"), 400)
    assert list(body["errors"]) == ["Idempotency-Key"]


def test_a_refused_transition_is_a_409_problem(api):
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    api.force_authenticate(contract.client)
    body = assert_problem(api.post(f"/api/milestones/{milestone.pk}/approve/", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert body["detail"]


def test_the_rate_limit_is_a_429_problem_with_retry_after(api, settings):
    settings.KAMAI_THROTTLES = {**settings.KAMAI_THROTTLES, "api_anon": "2/m"}
    api.get("/api/jobs/")
    api.get("/api/jobs/")
    response = api.get("/api/jobs/")
    assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60


def test_401_keeps_its_challenge(api):
    response = api.get("/api/contracts/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Token")


def test_lists_are_cursor_pages_and_a_bad_cursor_is_a_400(api):
    jobs = [make_job(title=f"Job {n}") for n in range(25)]
    first = api.get("/api/jobs/").json()
    assert set(first) == {"next", "previous", "results"} and first["previous"] is None
    assert [row["id"] for row in first["results"]] == [job.pk for job in reversed(jobs)][:20]
    second = api.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [job.pk for job in reversed(jobs)][20:]
    assert second["next"] is None
    body = assert_problem(api.get("/api/jobs/", {"cursor": "not-a-cursor"}), 400)
    assert "cursor" in body["errors"]
    # `page` is not a parameter any more: it is ignored, never a different page.
    assert api.get("/api/jobs/", {"page": 0}).json()["results"] == first["results"]


def test_contract_list_shows_no_email_address(api):
    contract = fixed_contract(amounts=("100",))
    for viewer in (contract.client, contract.freelancer):
        api.force_authenticate(viewer)
        text = api.get("/api/contracts/").content.decode()
        assert "@" not in text


def test_a_read_only_token_reads_but_is_refused_writes(api):
    contract = fixed_contract(amounts=("100",))
    token = Token.objects.create(user=contract.client)
    TokenScope.objects.create(token=token, read_only=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/contracts/").status_code == 200
    url = f"/api/milestones/{contract.milestones.get().pk}/fund/"
    assert_problem(api.post(url, {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert not Transaction.objects.filter(kind="escrow_fund").exists()


def test_the_token_page_makes_a_read_only_token(client):
    contract = fixed_contract(amounts=("100",))
    client.force_login(contract.client)
    client.post("/api/token/", {"action": "rotate", "read_only": "1"})
    assert Token.objects.get(user=contract.client).scope.read_only
    assert "read-only" in client.get("/api/token/").content.decode()
    client.post("/api/token/", {"action": "rotate"})
    assert not Token.objects.get(user=contract.client).scope.read_only


@pytest.mark.parametrize("same", ["a", "~" * 255, "order-2026-12-02/fund#1", "!\"$%&'()*+,-.:;<=>?@[\\]^_`{|}"])
def test_any_documented_key_is_accepted_and_replays_do_nothing_twice(api, same):
    contract = fixed_contract(amounts=("100",))
    api.force_authenticate(contract.client)
    url = f"/api/milestones/{contract.milestones.get().pk}/fund/"
    first = api.post(url, {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 200, first.content
    again = api.post(url, {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 200 and again.json() == first.json()
    assert Transaction.objects.filter(kind="escrow_fund").count() == 1
    assert_ledger_clean()


def test_the_same_key_with_another_body_is_a_409_problem(api):
    contract = fixed_contract(amounts=("100",))
    api.force_authenticate(contract.client)
    url = f"/api/milestones/{contract.milestones.get().pk}/fund/"
    same = key()
    assert api.post(url, {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=same).status_code == 200
    other = api.post(url, {"provider": "bank_transfer"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert_problem(other, 409)
    assert Transaction.objects.filter(kind="escrow_fund").count() == 1


@pytest.mark.parametrize("bad", [" ", "with space", "x" * 256, "ключ"])
def test_an_undocumented_key_is_a_400_problem(api, bad):
    contract = fixed_contract(amounts=("100",))
    api.force_authenticate(contract.client)
    url = f"/api/milestones/{contract.milestones.get().pk}/fund/"
    response = api.post(url, {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=bad)
    assert "Idempotency-Key" in assert_problem(response, 400)["errors"]


def test_the_schema_documents_problems_pages_and_the_key():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    fund = schema["paths"]["/api/milestones/{id}/fund/"]["post"]
    header = next(p for p in fund["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["required"] and header["schema"]["maxLength"] == 255
    for code in ("400", "401", "403", "404", "409", "429"):
        assert PROBLEM in fund["responses"][code]["content"]
    jobs = schema["paths"]["/api/jobs/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert jobs["$ref"].endswith("PaginatedJobList")
