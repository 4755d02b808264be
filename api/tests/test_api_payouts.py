"""Payouts through the API: bank accounts, withdrawals and a wallet account's statement. Same services and
selectors as the pages; strangers get a 404 problem, read-only tokens a 403, money without a key a 400."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.models import TokenScope
from api.tests.test_conventions import assert_problem
from invoicing import services as invoicing_services
from invoicing.tests.factories import make_invoice
from ledger.models import Account, Hold
from payouts.models import BankAccount, Withdrawal
from payouts.tests.helpers import assert_ledger_clean, fcy_account, funded_freelancer, key, make_iban, wallet

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def read_only(api, user):
    token = Token.objects.create(user=user)
    TokenScope.objects.create(token=token, read_only=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_a_bank_account_is_added_once_per_key_with_the_iban_checked(api):
    freelancer = funded_freelancer()
    api.force_authenticate(freelancer)
    body = {"title": "Ayesha Khan", "iban": make_iban(), "kind": "pkr"}
    assert "Idempotency-Key" in assert_problem(api.post("/api/bank-accounts/", body, format="json"), 400)["errors"]
    short = {**body, "iban": "PK36MEZN01"}
    errors = assert_problem(api.post("/api/bank-accounts/", short, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert "iban" in errors["errors"]
    # The check digits, by the page's validator: refused with its message, nothing saved.
    bad = {**body, "iban": "PK00MEZN0101234567890123"}
    refused = assert_problem(api.post("/api/bank-accounts/", bad, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert "check digits" in refused["detail"]
    same = key()
    first = api.post("/api/bank-accounts/", body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert "…" in first.json()["iban"] and first.json()["bank_name"]
    again = api.post("/api/bank-accounts/", body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert BankAccount.objects.filter(owner=freelancer).count() == 1
    assert_problem(api.post("/api/bank-accounts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)  # saved
    assert [row["id"] for row in api.get("/api/bank-accounts/").json()["results"]] == [first.json()["id"]]


def test_a_withdrawal_is_requested_once_per_key(api):
    freelancer = funded_freelancer()
    account = fcy_account(freelancer)
    api.force_authenticate(freelancer)
    body = {"amount": "100.00", "currency": "USD", "bank_account": account.pk}
    assert "Idempotency-Key" in assert_problem(api.post("/api/withdrawals/", body, format="json"), 400)["errors"]
    same = key()
    first = api.post("/api/withdrawals/", body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert first.json()["state"] == "requested" and first.json()["amount"] == {"amount": "100.00", "currency": "USD"}
    again = api.post("/api/withdrawals/", body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert Withdrawal.objects.count() == 1 and Hold.objects.count() == 1
    other = {**body, "amount": "120.00"}
    assert_problem(api.post("/api/withdrawals/", other, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    too_much = {**body, "amount": "99999.00"}
    assert_problem(api.post("/api/withdrawals/", too_much, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    listed = api.get("/api/withdrawals/").json()["results"]
    assert [row["id"] for row in listed] == [first.json()["id"]]
    assert api.get(f"/api/withdrawals/{first.json()['id']}/").json() == first.json()
    assert_ledger_clean()


def test_the_statement_pages_newest_first_with_running_balances_and_links(api):
    freelancer = funded_freelancer()
    account = wallet(freelancer)
    api.force_authenticate(freelancer)
    response = api.get(f"/api/wallet/accounts/{account.pk}/statement/")
    assert response.status_code == 200, response.content
    page = response.json()
    assert page["next"] is None and page["results"]
    latest = page["results"][0]
    assert latest["balance"] == str(account.balance) and latest["currency"] == "USD"
    assert all(row["kind"] for row in page["results"])
    assert any(row["link"] for row in page["results"])
    assert_problem(api.get(f"/api/wallet/accounts/{account.pk}/statement/", {"cursor": "b.nonsense"}), 400)


def test_the_statement_follows_its_cursor(api, monkeypatch):
    from api import invoicing_views

    monkeypatch.setattr(invoicing_views, "STATEMENT_PAGE_SIZE", 1)
    invoice = make_invoice()
    freelancer = invoice.freelancer
    for amount in ("100", "150"):
        invoicing_services.payment_record(
            invoice=invoice, freelancer=freelancer, amount=Decimal(amount), currency="USD",
            received_on=timezone.localdate(), method="bank", idempotency_key=key(),
        )  # fmt: skip
    account = Account.objects.get(owner=freelancer, code__contains="receivable")
    api.force_authenticate(freelancer)
    url = f"/api/wallet/accounts/{account.pk}/statement/"
    seen, page = [], api.get(url).json()
    while True:
        seen.extend(page["results"])
        if page["next"] is None:
            break
        page = api.get(page["next"]).json()
    assert len(seen) == account.postings.count() == 3
    assert [row["balance"] for row in seen] == ["250.00", "400.00", "500.00"]
    back = api.get(page["previous"]).json()
    assert back["results"] == seen[-2:-1]


def test_strangers_get_404_problems_and_read_only_tokens_403(api):
    freelancer = funded_freelancer()
    account = fcy_account(freelancer)
    api.force_authenticate(freelancer)
    body = {"amount": "100.00", "currency": "USD", "bank_account": account.pk}
    withdrawal = api.post("/api/withdrawals/", body, format="json", HTTP_IDEMPOTENCY_KEY=key()).json()
    stranger = funded_freelancer()
    api.force_authenticate(stranger)
    assert_problem(api.get(f"/api/withdrawals/{withdrawal['id']}/"), 404)
    assert_problem(api.get(f"/api/wallet/accounts/{wallet(freelancer).pk}/statement/"), 404)
    assert api.get("/api/withdrawals/").json()["results"] == []
    assert api.get("/api/bank-accounts/").json()["results"] == []
    # Someone else's bank account cannot be paid to.
    assert_problem(api.post("/api/withdrawals/", body, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    api.force_authenticate(None)
    read_only(api, freelancer)
    assert api.get(f"/api/withdrawals/{withdrawal['id']}/").status_code == 200
    new_account = {"title": "Ayesha Khan", "iban": make_iban(), "kind": "pkr"}
    for url, data in (("/api/withdrawals/", body), ("/api/bank-accounts/", new_account)):
        assert_problem(api.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert Withdrawal.objects.count() == 1 and BankAccount.objects.count() == 1
    assert_ledger_clean()
