"""More of the books and tax through the API: a statement's column mapping, moving an expense to another
category (optionally learning a rule), category rules, the cash-flow forecast and a remittance's PRC. Same
services as the pages; a stranger gets a 404 problem, a read-only token a 403, keyed POSTs do nothing twice."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from api.tests.test_api_books import expense, read_only
from api.tests.test_conventions import assert_problem
from books import services as books_services
from books.models import Budget, CategoryRule, Entry, MappingPreset, RecurringItem, Remittance, StatementImport
from books.tests.conftest import SAMPLES
from contracts.tests.helpers import assert_ledger_clean, key, stranger
from ledger.models import ExchangeRate, Transaction

pytestmark = pytest.mark.django_db
D = Decimal
MAPPING = {"date": "Booking date", "amount": "Value", "description": "Text", "reference": "Ref",
           "fixed_currency": "PKR", "date_format": "dmy", "decimal": "comma", "place": "hbl"}  # fmt: skip


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def freelancer():
    from accounts.tests.factories import FreelancerProfileFactory

    return FreelancerProfileFactory().user


def generic_import(api) -> dict:
    upload = SimpleUploadedFile("hbl.csv", (SAMPLES / "generic.csv").read_bytes(), content_type="text/csv")
    response = api.post("/api/books/imports/", {"file": upload, "source_format": "csv"}, format="multipart",
                        HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()


def test_an_unrecognised_statement_waits_for_its_columns_then_imports_once(api, freelancer):
    api.force_authenticate(freelancer)
    imp = generic_import(api)
    assert imp["status"] == "mapping" and imp["columns"] == ["Booking date", "Text", "Value", "Ref"]
    url = f"/api/books/imports/{imp['id']}/columns/"
    assert "Idempotency-Key" in assert_problem(api.post(url, MAPPING, format="json"), 400)["errors"]
    # A column the file does not have: the import's own check, nothing saved or started.
    assert_problem(api.post(url, {**MAPPING, "amount": "Amount"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert_problem(api.post(url, {**MAPPING, "date_format": "ymd"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert StatementImport.objects.get().status == "mapping" and not Entry.objects.exists()
    same = key()
    body = {**MAPPING, "save_as": "HBL current"}
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "done" and first.json()["created_count"] == 2
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 200 and again.json() == first.json()
    assert Entry.objects.filter(user=freelancer).count() == 2
    assert MappingPreset.objects.get(user=freelancer).name == "HBL current"
    # Started: a new key is refused by the import (a 409), nothing twice.
    assert_problem(api.post(url, MAPPING, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert_problem(api.post(url, {**MAPPING, "place": "cash"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    api.force_authenticate(stranger())
    assert_problem(api.post(url, MAPPING, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    assert_ledger_clean()


def test_an_expense_moves_to_another_category_once_and_learns_its_payee(api, freelancer):
    entry = expense(freelancer, category="internet")
    entry.description = "NAYATEL BILL 0400012345"
    entry.save(update_fields=["description"])
    api.force_authenticate(freelancer)
    url = f"/api/books/entries/{entry.pk}/category/"
    assert "Idempotency-Key" in assert_problem(api.post(url, {"category": "software"}, format="json"), 400)["errors"]
    assert_problem(api.post(url, {"category": "yacht"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    same = key()
    first = api.post(url, {"category": "software", "learn": True}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["entry"]["category"] == "software"
    assert body["rule"]["pattern"] == "nayatel bill" and body["rule"]["origin"] == "learned"
    again = api.post(url, {"category": "software", "learn": True}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 200 and again.json() == body
    assert Transaction.objects.filter(kind="books_recategorise").count() == 1
    assert_problem(api.post(url, {"category": "coworking", "learn": True}, format="json",
                            HTTP_IDEMPOTENCY_KEY=same), 409)  # fmt: skip
    # Already there: the service refuses, nothing moves.
    assert_problem(api.post(url, {"category": "software"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert Transaction.objects.filter(kind="books_recategorise").count() == 1
    api.force_authenticate(stranger())
    assert_problem(api.post(url, {"category": "fees"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    assert Entry.objects.get(pk=entry.pk).category == "software"
    assert_ledger_clean()


def test_income_cannot_be_recategorised(api, freelancer):
    paid = books_services.income_record(user=freelancer, occurred_on=date(2025, 7, 3), amount=D("100"),
                                        currency="PKR", client="Acme", idempotency_key=key())  # fmt: skip
    api.force_authenticate(freelancer)
    url = f"/api/books/entries/{paid.pk}/category/"
    assert_problem(api.post(url, {"category": "software"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert not Transaction.objects.filter(kind="books_recategorise").exists()


def test_category_rules_are_added_once_listed_and_deleted(api, freelancer):
    api.force_authenticate(freelancer)
    url = "/api/books/category-rules/"
    rule = {"pattern": "K-Electric", "category": "electricity"}
    same = key()
    first = api.post(url, rule, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    made = first.json()
    assert made["pattern"] == "k-electric" and made["origin"] == "user"
    assert api.post(url, rule, format="json", HTTP_IDEMPOTENCY_KEY=same).json() == made
    assert_problem(api.post(url, {**rule, "category": "other"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    assert_problem(api.post(url, rule, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)  # the same pattern again
    assert_problem(api.post(url, {**rule, "pattern": " "}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert CategoryRule.objects.count() == 1
    assert [row["id"] for row in api.get(url).json()["results"]] == [made["id"]]
    api.force_authenticate(stranger())
    assert api.get(url).json()["results"] == []
    assert_problem(api.delete(f"{url}{made['id']}/"), 404)
    api.force_authenticate(None)
    read_only(api, freelancer)
    assert_problem(api.delete(f"{url}{made['id']}/"), 403)
    assert_problem(api.post(url, {**rule, "pattern": "ptcl"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    api.credentials()
    api.force_authenticate(freelancer)
    assert api.delete(f"{url}{made['id']}/").status_code == 204
    assert not CategoryRule.objects.exists()


def test_the_forecast_has_the_pages_figures(api, freelancer):
    today = timezone.localdate()
    # On the 28th, a day every month has: at least two fall within the 90 days.
    RecurringItem.objects.create(user=freelancer, label="Rent", kind="expense", amount_minor=5000000, currency="PKR",
                                 day_of_month=28)  # fmt: skip
    Budget.objects.create(user=freelancer, category="internet", monthly_pkr_minor=300000)
    books_services.income_record(user=freelancer, occurred_on=today, amount=D("100000"), currency="PKR",
                                 client="Acme", place="cash", idempotency_key=key())  # fmt: skip
    api.force_authenticate(freelancer)
    response = api.get("/api/books/forecast/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["opening"] == {"amount": "100000.00", "currency": "PKR"}
    labels = {item["label"] for item in body["items"]}
    assert "Rent" in labels and "Budgeted expenses" in labels
    assert len(body["weeks"]) == 13 and body["weeks"][0]["start"] == str(today)
    rent = next(item for item in body["items"] if item["label"] == "Rent")
    assert rent["amount"] == {"amount": "-50000.00", "currency": "PKR"}
    api.force_authenticate(stranger())
    other = api.get("/api/books/forecast/").json()
    assert other["items"] == [] and other["opening"]["amount"] == "0.00"


def test_a_remittances_prc_is_recorded_by_its_owner(api, freelancer):
    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2025, 6, 1), rate=D("280"), source="sbp")
    remittance = books_services.remittance_record(
        user=freelancer, received_on=date(2025, 8, 2), currency="USD", amount=D("1000.00"), pkr_net=D("279300"),
        tax_withheld=D("700"), from_place="payoneer", bank="Meezan", idempotency_key="r1",
    )  # fmt: skip
    api.force_authenticate(freelancer)
    url = f"/api/tax/remittances/{remittance.pk}/"
    assert api.get(url).json()["prc_number"] == ""
    response = api.patch(url, {"prc_number": " PRC-77 ", "purpose_code": "9186"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["prc_number"] == "PRC-77" and body["purpose_code"] == "9186"
    assert body["may_retain"] == {"amount": "1000.00", "currency": "USD"}
    # Left out: kept.
    assert api.patch(url, {"prc_number": "PRC-78"}, format="json").json()["purpose_code"] == "9186"
    assert_problem(api.patch(url, {"purpose_code": "91-86"}, format="json"), 400)
    assert Remittance.objects.get().purpose_code == "9186"
    api.force_authenticate(stranger())
    assert_problem(api.get(url), 404)
    assert_problem(api.patch(url, {"prc_number": "X"}, format="json"), 404)
    api.force_authenticate(None)
    read_only(api, freelancer)
    assert api.get(url).status_code == 200
    assert_problem(api.patch(url, {"prc_number": "X"}, format="json"), 403)
    assert Remittance.objects.get().prc_number == "PRC-78"


def test_a_remittance_is_recorded_once_per_key(api, freelancer):
    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2025, 6, 1), rate=D("280"), source="sbp")
    api.force_authenticate(freelancer)
    url = "/api/tax/remittances/"
    body = {"received_on": "2025-08-02", "amount": "1000.00", "currency": "USD", "pkr_net": "279300",
            "tax_withheld": "700", "from_place": "payoneer", "bank": "Meezan", "purpose_code": "9186"}  # fmt: skip
    assert "Idempotency-Key" in assert_problem(api.post(url, body, format="json"), 400)["errors"]
    same = key()
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    made = first.json()
    assert made["amount"] == {"amount": "1000.00", "currency": "USD"} and made["purpose_code"] == "9186"
    assert made["tax_withheld"] == {"amount": "700.00", "currency": "PKR"} and made["prc_number"] == ""
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == made
    assert_problem(api.post(url, {**body, "amount": "999"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    assert_problem(api.post(url, {**body, "currency": "PKR"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400)
    assert_problem(
        api.post(url, {**body, "received_on": "2999-01-01"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409
    )  # fmt: skip  (the service's date rule)
    assert Remittance.objects.count() == 1
    api.force_authenticate(None)
    read_only(api, freelancer)
    assert_problem(api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert Remittance.objects.count() == 1
    assert_ledger_clean()


def test_the_tax_status_is_read_and_set_by_its_owner(api, freelancer):
    from tax.models import TaxProfile

    api.force_authenticate(freelancer)
    url = "/api/tax/status/"
    assert api.get(url).json() == {"service_kind": "it", "atl_since": None, "atl_until": None,
                                   "pseb_registered_on": None}  # fmt: skip
    status = {"service_kind": "it", "atl_since": "2024-09-01", "atl_until": None, "pseb_registered_on": "2025-01-10"}
    response = api.put(url, status, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == status
    # Off the list before joining it: the page's service refuses, nothing changes.
    assert_problem(api.put(url, {**status, "atl_until": "2024-01-01"}, format="json"), 409)
    assert_problem(api.put(url, {**status, "service_kind": "farming"}, format="json"), 400)
    assert TaxProfile.objects.get(user=freelancer).atl_until is None
    api.force_authenticate(stranger())
    assert api.get(url).json()["atl_since"] is None
    api.force_authenticate(None)
    read_only(api, freelancer)
    assert_problem(api.put(url, {**status, "service_kind": "other"}, format="json"), 403)
    assert TaxProfile.objects.get(user=freelancer).service_kind == "it"


def test_a_remittance_from_before_any_retention_rule_has_no_figure_not_a_500(api, client, freelancer):
    # Schemathesis's stateful sequences found it: the books take any past date, the SBP rule starts later.
    old = books_services.remittance_record(
        user=freelancer, received_on=date(1990, 3, 3), currency="USD", amount=D("10.00"), pkr_net=D("2800"),
        tax_withheld=D("0"), from_place="payoneer", idempotency_key="old",
    )  # fmt: skip
    api.force_authenticate(freelancer)
    assert api.get(f"/api/tax/remittances/{old.pk}/").json()["may_retain"] is None
    assert api.get("/api/tax/remittances/").json()["results"][0]["may_retain"] is None
    client.force_login(freelancer)
    assert client.get("/books/remittances/").status_code == 200


def test_a_statement_sent_twice_in_one_request_is_refused_and_nothing_is_imported(api, freelancer):
    api.force_authenticate(freelancer)
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nDate,Amount\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nother\r\n--b--\r\n'
    )
    response = api.generic("POST", "/api/books/imports/", body, content_type="multipart/form-data; boundary=b",
                           HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert response.status_code == 400 and "one file" in response.content.decode()
    assert not StatementImport.objects.exists()


def test_a_stopped_import_is_started_again_through_the_api(api, freelancer, settings, monkeypatch):
    from books.models import ImportStatus
    from books.tests.test_imports import _import_killed_after_one_batch

    imp, age = _import_killed_after_one_batch(freelancer, settings, monkeypatch)
    api.force_authenticate(freelancer)
    url = f"/api/books/imports/{imp.pk}/resume/"
    refused = api.post(url)
    assert_problem(refused, 409)  # still moving: not stopped yet
    assert StatementImport.objects.get(pk=imp.pk).status == ImportStatus.RUNNING
    age(11)
    assert api.post(url).status_code == 200
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and Entry.objects.filter(user=freelancer).count() == 20
    assert_ledger_clean()
    api.force_authenticate(stranger())
    assert_problem(api.post(url), 404)
