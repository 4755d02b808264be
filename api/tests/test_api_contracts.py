"""Contract actions through the API: deliver (JSON or a file), ask for changes, hourly weeks and time,
disputes and evidence. Same services as the pages; strangers get a 404 problem, read-only tokens a 403."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.models import TokenScope
from api.tests.test_conventions import assert_problem
from contracts import services as contract_services
from contracts.models import Dispute, Evidence, MilestoneState, TimeEntry, WeekState
from contracts.tests.helpers import assert_ledger_clean, fixed_contract, hourly_contract, key, log_time, stranger
from ledger.models import Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def funded_milestone():
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    contract_services.milestone_fund(
        milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key()
    )
    return contract, milestone


def funded_hourly():
    contract = hourly_contract(rate="20", cap=10)
    contract_services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal("500"), provider="sandbox", idempotency_key=key()
    )
    return contract


def read_only(api, user):
    token = Token.objects.create(user=user)
    TokenScope.objects.create(token=token, read_only=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_the_freelancer_delivers_with_json_and_the_client_asks_for_changes(api):
    contract, milestone = funded_milestone()
    api.force_authenticate(contract.freelancer)
    response = api.post(f"/api/milestones/{milestone.pk}/submit/", {"message": "Done"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == MilestoneState.SUBMITTED
    assert_problem(api.post(f"/api/milestones/{milestone.pk}/submit/", {"message": ""}, format="json"), 400)
    # Only the client asks for changes.
    url = f"/api/milestones/{milestone.pk}/request-changes/"
    assert_problem(api.post(url, {"note": "More"}, format="json"), 403)
    api.force_authenticate(contract.client)
    response = api.post(url, {"note": "Bigger logo"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == MilestoneState.FUNDED
    milestone.refresh_from_db()
    assert milestone.changes_note == "Bigger logo"


def test_a_delivery_may_carry_a_file_by_multipart(api):
    contract, milestone = funded_milestone()
    api.force_authenticate(contract.freelancer)
    upload = SimpleUploadedFile("notes.txt", b"the build notes\n", content_type="text/plain")
    response = api.post(f"/api/milestones/{milestone.pk}/submit/", {"message": "Here", "file": upload})
    assert response.status_code == 200, response.content
    assert milestone.deliveries.get().file_name


def test_a_file_part_sent_as_text_is_the_files_bytes_not_a_400(api):
    # Schemathesis's stateful sequences found it: the schema's binary `file` may be any text part.
    contract, milestone = funded_milestone()
    api.force_authenticate(contract.freelancer)
    response = api.post(f"/api/milestones/{milestone.pk}/submit/", {"message": "Here", "file": "null"})
    assert response.status_code == 200, response.content
    assert milestone.deliveries.get().file_name.startswith("upload")
    # In JSON there is no file: an extra "file" member is ignored, not attached.
    contract, milestone = funded_milestone()
    api.force_authenticate(contract.freelancer)
    response = api.post(f"/api/milestones/{milestone.pk}/submit/", {"message": "Here", "file": "x"}, format="json")
    assert response.status_code == 200, response.content
    assert not milestone.deliveries.get().file_name


def test_strangers_get_404_problems_and_read_only_tokens_403(api):
    contract, milestone = funded_milestone()
    hourly = funded_hourly()
    week_entry = log_time(hourly, timezone.localdate())
    week = week_entry.week
    api.force_authenticate(stranger())
    for url in (f"/api/contracts/{hourly.pk}/weeks/", f"/api/weeks/{week.pk}/"):
        assert_problem(api.get(url), 404)
    posts = [
        (f"/api/milestones/{milestone.pk}/submit/", {"message": "x"}),
        (f"/api/milestones/{milestone.pk}/request-changes/", {"note": "x"}),
        (f"/api/milestones/{milestone.pk}/dispute/", {"reason": "x"}),
        (f"/api/contracts/{hourly.pk}/time/", {"day": str(timezone.localdate()), "hours": "1", "memo": "x"}),
        (f"/api/weeks/{week.pk}/submit/", {}),
        (f"/api/weeks/{week.pk}/approve/", {}),
        (f"/api/weeks/{week.pk}/dispute/", {"reason": "x"}),
    ]
    for url, body in posts:
        assert_problem(api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    api.force_authenticate(None)
    read_only(api, hourly.freelancer)
    assert api.get(f"/api/weeks/{week.pk}/").status_code == 200
    body = {"day": str(timezone.localdate()), "hours": "1", "memo": "x"}
    assert_problem(api.post(f"/api/contracts/{hourly.pk}/time/", body, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert TimeEntry.objects.count() == 1


def test_time_is_logged_once_per_key_and_weeks_list_with_their_entries(api):
    contract = funded_hourly()
    api.force_authenticate(contract.freelancer)
    url = f"/api/contracts/{contract.pk}/time/"
    body = {"day": str(timezone.localdate()), "hours": "1.5", "memo": "Tickets"}
    assert "Idempotency-Key" in assert_problem(api.post(url, body, format="json"), 400)["errors"]
    same = key()
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert first.json()["minutes"] == 90 and TimeEntry.objects.count() == 1
    assert_problem(api.post(url, {**body, "hours": "2"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    weeks = api.get(f"/api/contracts/{contract.pk}/weeks/").json()
    assert weeks["next"] is None and len(weeks["results"]) == 1
    week = weeks["results"][0]
    assert week["minutes"] == 90 and week["state"] == WeekState.OPEN
    detail = api.get(f"/api/weeks/{week['id']}/").json()
    assert [entry["memo"] for entry in detail["entries"]] == ["Tickets"]
    assert "@" not in api.get(f"/api/weeks/{week['id']}/").content.decode()


def test_the_client_approves_a_week_once_per_key(api):
    contract = funded_hourly()
    week = log_time(contract, timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)).week
    api.force_authenticate(contract.client)
    url = f"/api/weeks/{week.pk}/approve/"
    assert "Idempotency-Key" in assert_problem(api.post(url), 400)["errors"]
    api.force_authenticate(contract.freelancer)
    assert_problem(api.post(url, HTTP_IDEMPOTENCY_KEY=key()), 403)
    api.force_authenticate(contract.client)
    same = key()
    first = api.post(url, HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 200, first.content
    assert first.json()["state"] == WeekState.BILLED and first.json()["billed"]["amount"] == "100.00"
    again = api.post(url, HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 200 and again.json() == first.json()
    assert Transaction.objects.filter(kind="hourly_bill").count() == 1
    assert_problem(api.post(url, HTTP_IDEMPOTENCY_KEY=key()), 409)  # already billed
    assert_ledger_clean()


def test_the_freelancer_sends_a_week_early(api):
    contract = funded_hourly()
    week = log_time(contract, timezone.localdate()).week
    api.force_authenticate(contract.freelancer)
    response = api.post(f"/api/weeks/{week.pk}/submit/")
    assert response.status_code == 200 and response.json()["state"] == WeekState.IN_REVIEW


def test_a_dispute_opens_once_per_key_and_takes_evidence(api):
    contract, milestone = funded_milestone()
    api.force_authenticate(contract.client)
    url = f"/api/milestones/{milestone.pk}/dispute/"
    assert_problem(api.post(url, {"reason": "Late"}, format="json"), 400)
    same = key()
    first = api.post(url, {"reason": "Late"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    again = api.post(url, {"reason": "Late"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert Dispute.objects.count() == 1
    dispute = first.json()
    assert dispute["milestone"] == milestone.pk and dispute["amount"] == {"amount": "100.00", "currency": "USD"}

    evidence_url = f"/api/disputes/{dispute['id']}/evidence/"
    api.force_authenticate(contract.freelancer)
    same = key()
    first = api.post(evidence_url, {"text": "Delivered on time"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert api.post(evidence_url, {"text": "Delivered on time"}, format="json", HTTP_IDEMPOTENCY_KEY=same).json() == (
        first.json()
    )
    assert Evidence.objects.count() == 1
    detail = api.get(f"/api/disputes/{dispute['id']}/")
    assert detail.json()["evidence"][0]["author"] == contract.freelancer.name
    assert contract.client.email not in detail.content.decode()
    api.force_authenticate(stranger())
    assert_problem(api.get(f"/api/disputes/{dispute['id']}/"), 404)
    assert_problem(api.post(evidence_url, {"text": "x"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)


def test_a_week_in_review_can_be_disputed(api):
    contract = funded_hourly()
    week = log_time(contract, timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)).week
    api.force_authenticate(contract.client)
    response = api.post(f"/api/weeks/{week.pk}/dispute/", {"reason": "Too many hours"}, format="json",
                        HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["week"] == week.pk
    week.refresh_from_db()
    assert week.state == WeekState.DISPUTED
