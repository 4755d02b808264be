"""Books and tax through the API: entries, expenses (JSON or with a receipt), income, statement imports, the
budget, the tax estimate and remittances. Same services as the pages; only the owner sees anything (a stranger
gets a 404 problem), read-only tokens are refused writes, creating POSTs need an Idempotency-Key."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import FreelancerProfileFactory
from api.models import TokenScope
from api.tests.test_conventions import assert_problem
from books import services as books_services
from books.models import Budget, Entry, StatementImport
from books.tests.conftest import PNG, SAMPLES
from contracts.tests.helpers import assert_ledger_clean, key
from ledger.models import ExchangeRate

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def freelancer():
    return FreelancerProfileFactory().user


@pytest.fixture
def stranger():
    return FreelancerProfileFactory().user


def read_only(api, user):
    token = Token.objects.create(user=user)
    TokenScope.objects.create(token=token, read_only=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")


def expense(user, on=date(2025, 7, 5), amount="1500", category="internet"):
    return books_services.expense_record(
        user=user, occurred_on=on, amount=D(amount), currency="PKR", category=category, idempotency_key=key()
    )


def income(user, on=date(2025, 7, 3), amount="50000"):
    return books_services.income_record(
        user=user, occurred_on=on, amount=D(amount), currency="PKR", client="Acme", idempotency_key=key()
    )


EXPENSE = {"occurred_on": "2025-07-05", "amount": "1500.00", "currency": "PKR", "category": "internet",
           "place": "cash", "note": "Nayatel"}  # fmt: skip


def test_an_expense_is_recorded_once_per_key(api, freelancer):
    api.force_authenticate(freelancer)
    url = "/api/books/expenses/"
    assert "Idempotency-Key" in assert_problem(api.post(url, EXPENSE, format="json"), 400)["errors"]
    same = key()
    first = api.post(url, EXPENSE, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["kind"] == "expense" and body["amount"] == {"amount": "1500.00", "currency": "PKR"}
    assert body["category"] == "internet" and body["note"] == "Nayatel" and body["has_receipt"] is False
    again = api.post(url, EXPENSE, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == body
    assert Entry.objects.count() == 1
    assert_problem(api.post(url, {**EXPENSE, "amount": "99"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    assert_problem(api.post(url, {**EXPENSE, "category": "yacht"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert Entry.objects.count() == 1
    assert_ledger_clean()


def test_an_expense_with_a_receipt_upload(api, freelancer):
    api.force_authenticate(freelancer)
    receipt = SimpleUploadedFile("r.png", PNG, content_type="image/png")
    response = api.post("/api/books/expenses/", {**EXPENSE, "receipt": receipt}, format="multipart",
                        HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["has_receipt"] is True
    assert Entry.objects.get().receipt_content_type == "image/png"


def test_income_with_tax_withheld(api, freelancer):
    api.force_authenticate(freelancer)
    body = {"occurred_on": "2025-07-03", "amount": "50000", "currency": "PKR", "client": "Acme",
            "tax_withheld": "5000"}  # fmt: skip
    response = api.post("/api/books/income/", body, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert response.status_code == 201, response.content
    assert response.json()["tax_withheld"] == {"amount": "5000.00", "currency": "PKR"}
    assert response.json()["place"] == "bank"
    # The service's own refusal (withheld not below the amount) is a 409, nothing recorded.
    assert_problem(api.post("/api/books/income/", {**body, "tax_withheld": "60000"}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key()), 409)  # fmt: skip
    assert Entry.objects.count() == 1


def test_entries_are_the_owners_filtered_by_kind_and_month(api, freelancer, stranger):
    july = expense(freelancer)
    august = expense(freelancer, on=date(2025, 8, 2))
    paid = income(freelancer)
    other = expense(stranger)
    api.force_authenticate(freelancer)
    ids = [row["id"] for row in api.get("/api/books/entries/").json()["results"]]
    assert sorted(ids) == sorted([july.pk, august.pk, paid.pk])
    rows = api.get("/api/books/entries/", {"kind": "expense", "month": "2025-07"}).json()["results"]
    assert [row["id"] for row in rows] == [july.pk]
    rows = api.get("/api/books/entries/", {"start": "2025-07-04", "end": "2025-12-31"}).json()["results"]
    assert sorted(row["id"] for row in rows) == sorted([july.pk, august.pk])
    assert_problem(api.get("/api/books/entries/", {"month": "2025-13"}), 400)
    assert_problem(api.get("/api/books/entries/", {"kind": "gift"}), 400)
    assert api.get(f"/api/books/entries/{july.pk}/").json()["id"] == july.pk
    assert_problem(api.get(f"/api/books/entries/{other.pk}/"), 404)


def test_entries_are_cursor_pages(api, freelancer):
    made = [expense(freelancer, amount=str(100 + n)) for n in range(23)]
    api.force_authenticate(freelancer)
    first = api.get("/api/books/entries/").json()
    second = api.get(first["next"]).json()
    assert [row["id"] for row in first["results"] + second["results"]] == [e.pk for e in reversed(made)]
    assert second["next"] is None


def test_a_statement_import_once_per_key_and_its_progress(api, freelancer, stranger, settings):
    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2025, 6, 1), rate=D("280"), source="sbp")
    api.force_authenticate(freelancer)
    url = "/api/books/imports/"

    def upload():
        return SimpleUploadedFile("payoneer.csv", (SAMPLES / "payoneer.csv").read_bytes(), content_type="text/csv")

    assert "Idempotency-Key" in assert_problem(api.post(url, {"file": upload()}, format="multipart"), 400)["errors"]
    same = key()
    first = api.post(url, {"file": upload(), "source_format": "payoneer"}, format="multipart",
                     HTTP_IDEMPOTENCY_KEY=same)  # fmt: skip
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "done" and body["created_count"] > 0 and body["errors"] == []
    assert body["processed_rows"] == body["total_rows"] and body["stalled"] is False
    entries = Entry.objects.count()
    again = api.post(url, {"file": upload(), "source_format": "payoneer"}, format="multipart",
                     HTTP_IDEMPOTENCY_KEY=same)  # fmt: skip
    assert again.status_code == 201 and again.json() == body
    assert StatementImport.objects.count() == 1 and Entry.objects.count() == entries
    assert api.get(f"/api/books/imports/{body['id']}/").json() == body
    assert_problem(api.post(url, {"file": upload(), "source_format": "wise"}, format="multipart",
                            HTTP_IDEMPOTENCY_KEY=same), 409)  # fmt: skip
    assert_problem(api.post(url, {"file": upload(), "source_format": "cash"}, format="multipart",
                            HTTP_IDEMPOTENCY_KEY=key()), 400)  # fmt: skip
    api.force_authenticate(stranger)
    assert_problem(api.get(f"/api/books/imports/{body['id']}/"), 404)
    assert_ledger_clean()


def test_an_import_the_service_refuses_is_a_409_and_nothing_stays(api, freelancer):
    api.force_authenticate(freelancer)
    empty = SimpleUploadedFile("empty.csv", b"", content_type="text/csv")
    assert_problem(
        api.post("/api/books/imports/", {"file": empty}, format="multipart", HTTP_IDEMPOTENCY_KEY=key()), 409
    )  # an empty file is the service's to refuse
    binary = SimpleUploadedFile("x.csv", b"\x00\x01\x02" * 50, content_type="text/csv")
    same = key()
    assert_problem(api.post("/api/books/imports/", {"file": binary}, format="multipart", HTTP_IDEMPOTENCY_KEY=same),
                   409)  # fmt: skip
    assert not StatementImport.objects.exists()


def test_the_budget_is_set_all_at_once(api, freelancer, stranger):
    Budget.objects.create(user=freelancer, category="software", monthly_pkr_minor=500000)
    Budget.objects.create(user=stranger, category="internet", monthly_pkr_minor=100)
    api.force_authenticate(freelancer)
    lines = {line["category"]: line for line in api.get("/api/books/budget/").json()["lines"]}
    assert lines["software"]["budget"] == {"amount": "5000.00", "currency": "PKR"}
    assert lines["internet"]["budget"]["amount"] == "0.00"
    response = api.put("/api/books/budget/", {"internet": "3000", "coworking": "45000.50"}, format="json")
    assert response.status_code == 200, response.content
    lines = {line["category"]: line for line in response.json()["lines"]}
    assert lines["internet"]["budget"]["amount"] == "3000.00" and lines["coworking"]["budget"]["amount"] == "45000.50"
    # Left out: no budget any more.
    assert lines["software"]["budget"]["amount"] == "0.00"
    assert set(Budget.objects.filter(user=freelancer).values_list("category", flat=True)) == {"internet", "coworking"}
    assert_problem(api.put("/api/books/budget/", {"coworking": "-5"}, format="json"), 400)
    assert Budget.objects.get(user=stranger).monthly_pkr_minor == 100


def test_read_only_tokens_read_the_books_but_write_nothing(api, freelancer):
    expense(freelancer)
    read_only(api, freelancer)
    assert api.get("/api/books/entries/").status_code == 200
    assert_problem(api.post("/api/books/expenses/", EXPENSE, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert_problem(api.put("/api/books/budget/", {"coworking": "5"}, format="json"), 403)
    assert Entry.objects.count() == 1 and not Budget.objects.exists()


def test_the_tax_estimate_of_a_year(api, freelancer, stranger):
    income(freelancer, amount="600000")
    expense(freelancer, amount="100000", category="coworking")
    income(stranger, amount="999999")
    api.force_authenticate(freelancer)
    response = api.get("/api/tax/2025-26/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fiscal_year"] == "2025-26" and body["starts"] == "2025-07-01"
    assert body["income"]["domestic"]["amount"] == "600000.00"
    assert body["expenses"]["amount"] == "100000.00"
    assert {"tax_due", "withheld", "still_due", "set_aside_monthly", "projected_tax", "disclaimer"} <= set(body)
    assert_problem(api.get("/api/tax/1990-91/"), 404)
    assert_problem(api.get("/api/tax/2025-27/"), 404)


def test_remittances_with_prc_and_retention(api, freelancer, stranger):
    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2025, 6, 1), rate=D("280"), source="sbp")
    mine = books_services.remittance_record(
        user=freelancer, received_on=date(2025, 8, 2), currency="USD", amount=D("1000.00"), pkr_net=D("279300"),
        tax_withheld=D("700"), from_place="payoneer", bank="Meezan", prc_number="PRC-1", purpose_code="9186",
        idempotency_key="r1",
    )  # fmt: skip
    books_services.remittance_record(
        user=stranger, received_on=date(2025, 8, 2), currency="USD", amount=D("10.00"), pkr_net=D("2800"),
        tax_withheld=D("0"), from_place="payoneer", idempotency_key="r2",
    )  # fmt: skip
    api.force_authenticate(freelancer)
    rows = api.get("/api/tax/remittances/").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    row = rows[0]
    assert row["prc_number"] == "PRC-1" and row["purpose_code"] == "9186"
    assert row["amount"] == {"amount": "1000.00", "currency": "USD"}
    assert row["may_retain"] == {"amount": "1000.00", "currency": "USD"}
