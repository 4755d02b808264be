"""The books' corrections and plans through the API, as their pages make them: an entry removed by a reversing
entry (once per key), a forecast's recurring items (the forecast page's form), and the reconcile page's matches
confirmed or rejected by their owner."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from api.tests.test_api_books import expense, read_only
from api.tests.test_conventions import assert_problem
from books import selectors as books_selectors
from books.models import BankMatch, Entry, RecurringItem, Remittance
from books.reconciliation import match_proposals
from books.tests.conftest import rates  # noqa: F401 - the reconcile tests' exchange rates
from books.tests.test_import_layouts import imported
from books.tests.test_reconciliation import bank_statement
from contracts.tests.helpers import assert_ledger_clean, key, stranger

pytestmark = pytest.mark.django_db
ALWAYS = {"start": date(2000, 1, 1), "end": date(2100, 1, 1)}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def freelancer():
    from accounts.tests.factories import FreelancerProfileFactory

    return FreelancerProfileFactory().user


def test_an_entry_is_removed_once_by_a_reversing_entry(api, freelancer):
    entry = expense(freelancer, amount="1500")
    api.force_authenticate(freelancer)
    url = f"/api/books/entries/{entry.pk}/remove/"
    assert "Idempotency-Key" in assert_problem(api.post(url), 400)["errors"]
    same = key()
    first = api.post(url, HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    reversal = first.json()
    assert reversal["reverses"] == entry.pk and reversal["amount"] == {"amount": "-1500.00", "currency": "PKR"}
    again = api.post(url, HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == reversal
    assert_problem(api.post(url, HTTP_IDEMPOTENCY_KEY=key()), 409)  # removed already
    assert_problem(api.post(f"/api/books/entries/{reversal['id']}/remove/", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert Entry.objects.filter(reverses=entry).count() == 1
    assert books_selectors.totals(user=freelancer, **ALWAYS).expense_pkr_minor == 0
    assert_ledger_clean()


def test_only_the_owner_removes_an_entry(api, freelancer):
    entry = expense(freelancer)
    api.force_authenticate(stranger())
    assert_problem(api.post(f"/api/books/entries/{entry.pk}/remove/", HTTP_IDEMPOTENCY_KEY=key()), 404)
    api.force_authenticate(None)
    read_only(api, freelancer)
    assert_problem(api.post(f"/api/books/entries/{entry.pk}/remove/", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert not Entry.objects.filter(reverses=entry).exists()


RENT = {"kind": "expense", "label": "Co-working desk", "category": "coworking", "amount": "45000", "currency": "PKR",
        "day_of_month": 5}  # fmt: skip


def test_recurring_items_are_added_once_per_key_with_the_forecast_forms_checks(api, freelancer):
    api.force_authenticate(freelancer)
    url = "/api/books/recurring/"
    same = key()
    first = api.post(url, RENT, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["amount"] == {"amount": "45000.00", "currency": "PKR"} and body["category"] == "coworking"
    assert api.post(url, RENT, format="json", HTTP_IDEMPOTENCY_KEY=same).json() == body
    assert_problem(api.post(url, {**RENT, "label": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    assert_problem(api.post(url, {**RENT, "category": ""}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert_problem(api.post(url, {**RENT, "amount": "1.005"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert_problem(api.post(url, {**RENT, "day_of_month": 31}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert RecurringItem.objects.count() == 1
    assert [row["id"] for row in api.get(url).json()["results"]] == [body["id"]]
    forecast = api.get("/api/books/forecast/").json()
    assert any("Co-working desk" in str(item) for item in forecast["items"])

    api.force_authenticate(stranger())
    assert api.get(url).json()["results"] == []
    api.force_authenticate(None)
    read_only(api, freelancer)
    assert_problem(api.post(url, RENT, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert RecurringItem.objects.count() == 1


@pytest.mark.usefixtures("rates")
def test_a_proposed_match_is_confirmed_once_by_its_owner(api, freelancer):
    imported(freelancer, "payoneer_credit_debit.csv")
    bank_statement(freelancer, ("12/07/2025", "HOME REMITTANCE REF 88123", "279,000.00"))
    [proposal] = match_proposals(user=freelancer)
    decision = {"kind": "provider", "bank_entry": proposal.bank_entry.pk, "other": proposal.other_id,
                "decision": "confirm"}  # fmt: skip

    api.force_authenticate(stranger())
    assert api.get("/api/books/reconcile/").json() == []
    assert_problem(api.post("/api/books/reconcile/decide/", decision, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    api.force_authenticate(None)
    read_only(api, freelancer)
    assert len(api.get("/api/books/reconcile/").json()) == 1
    assert_problem(api.post("/api/books/reconcile/decide/", decision, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    api.credentials()
    api.force_authenticate(freelancer)
    listed = api.get("/api/books/reconcile/").json()
    assert listed[0]["bank_entry"] == proposal.bank_entry.pk and listed[0]["expected"]["amount"] == "280123.40"
    assert_problem(api.post("/api/books/reconcile/decide/", {**decision, "decision": "maybe"}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key()), 400)  # fmt: skip
    same = key()
    first = api.post("/api/books/reconcile/decide/", decision, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "confirmed" and first.json()["remittance"]
    again = api.post("/api/books/reconcile/decide/", decision, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert_problem(api.post("/api/books/reconcile/decide/", decision, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert BankMatch.objects.filter(user=freelancer).count() == 1 and Remittance.objects.count() == 1
    assert api.get("/api/books/reconcile/").json() == []
    assert_ledger_clean()


@pytest.mark.usefixtures("rates")
def test_a_rejected_match_is_not_proposed_again(api, freelancer):
    imported(freelancer, "payoneer_credit_debit.csv")
    bank_statement(freelancer, ("12/07/2025", "HOME REMITTANCE REF 88123", "279,000.00"))
    [proposal] = match_proposals(user=freelancer)
    api.force_authenticate(freelancer)
    decision = {"kind": "provider", "bank_entry": proposal.bank_entry.pk, "other": proposal.other_id,
                "decision": "reject"}  # fmt: skip
    response = api.post("/api/books/reconcile/decide/", decision, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert response.status_code == 201 and response.json()["status"] == "rejected"
    assert api.get("/api/books/reconcile/").json() == []
    confirm = {**decision, "decision": "confirm"}
    assert_problem(api.post("/api/books/reconcile/decide/", confirm, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert not Remittance.objects.exists() and BankMatch.objects.get().status == "rejected"
