from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from books import services
from books.models import Entry, ImportStatus, StatementImport
from books.tests.conftest import PNG, sample

D = Decimal
SITE_CSS = (settings.BASE_DIR / "web" / "static" / "web" / "site.css").stat().st_size


@pytest.fixture
def world(freelancer, rates):
    expense = services.expense_record(
        user=freelancer, occurred_on=date(2025, 7, 2), amount=D("10"), currency="USD", category="software",
        receipt=SimpleUploadedFile("r.png", PNG), idempotency_key="w1",
    )  # fmt: skip
    remittance = services.remittance_record(
        user=freelancer, received_on=date(2025, 8, 2), currency="USD", amount=D("100"), pkr_net=D("28030"),
        tax_withheld=D("70"), from_place="direct", client="Acme", idempotency_key="w2",
    )  # fmt: skip
    imp = StatementImport.objects.get(pk=__import__("books.imports", fromlist=["x"]).statement_import_create(
        user=freelancer, source_format="csv", upload=sample("generic.csv")).pk)  # fmt: skip
    return {"entry": expense, "remittance": remittance, "import": imp}


PAGES = ["books:books_home", "books:expense_add", "books:income_add", "books:remittance_list", "books:remittance_add",
         "books:import_list", "books:budget", "books:forecast", "tax:tax_home", "tax:tax_profile", "tax:prc_missing",
         "books:category_rules"]  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_light_and_need_login(client, world, freelancer, name):
    url = reverse(name)
    assert client.get(url).status_code == 302
    client.force_login(freelancer)
    response = client.get(url)
    assert response.status_code == 200
    assert len(response.content) + SITE_CSS < 60 * 1024
    assert b"<script" not in response.content


def test_object_urls_are_404_for_another_freelancer(client, world, other):
    entry, remittance, imp = world["entry"], world["remittance"], world["import"]
    urls = [
        reverse("books:entry_detail", args=[entry.pk]), reverse("books:entry_receipt", args=[entry.pk]),
        reverse("books:remittance_prc", args=[remittance.pk]), reverse("books:import_detail", args=[imp.pk]),
        reverse("books:import_mapping", args=[imp.pk]),
    ]  # fmt: skip
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(other)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("books:remittance_prc", args=[remittance.pk]), {"prc_number": "X"}).status_code == 404
    remittance.refresh_from_db()
    assert remittance.prc_number == ""


def test_owner_sees_entry_and_receipt(client, world, freelancer):
    client.force_login(freelancer)
    entry = world["entry"]
    assert b"PKR" in client.get(reverse("books:entry_detail", args=[entry.pk])).content
    response = client.get(reverse("books:entry_receipt", args=[entry.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_add_expense_through_the_form_and_bad_input_saves_nothing(client, freelancer, rates):
    client.force_login(freelancer)
    data = {"key": "abc", "occurred_on": "2025-07-03", "amount": "1,500.50", "currency": "PKR", "category": "internet",
            "place": "cash", "note": "PTCL"}  # fmt: skip
    assert client.post(reverse("books:expense_add"), data).status_code == 302
    assert client.post(reverse("books:expense_add"), data).status_code == 302  # double submit: one entry
    assert Entry.objects.get(user=freelancer).amount == D("1500.50")
    bad = {**data, "key": "def", "amount": "12abc"}
    response = client.post(reverse("books:expense_add"), bad)
    assert response.status_code == 400 and b"not a number" in response.content
    bad_receipt = {**data, "key": "ghi", "receipt": SimpleUploadedFile("x.pdf", b"MZ\x00\x01exe")}
    response = client.post(reverse("books:expense_add"), bad_receipt)
    assert response.status_code == 400 and b"PDF, JPEG, PNG or WebP" in response.content
    assert Entry.objects.filter(user=freelancer).count() == 1


def test_import_through_the_pages_with_mapping(client, freelancer, rates):
    client.force_login(freelancer)
    response = client.post(reverse("books:import_list"), {"source_format": "csv", "file": sample("generic.csv")})
    imp = StatementImport.objects.get(user=freelancer)
    assert response.url == reverse("books:import_mapping", args=[imp.pk])
    mapping = {"date": "Booking date", "amount": "Value", "description": "Text", "reference": "Ref",
               "fixed_currency": "PKR", "date_format": "dmy", "decimal": "comma", "place": "hbl"}  # fmt: skip
    response = client.post(reverse("books:import_mapping", args=[imp.pk]), mapping)
    assert response.url == reverse("books:import_detail", args=[imp.pk])
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and imp.created_count == 2
    assert b"2 transactions added" in client.get(response.url).content


def test_failed_import_page_lists_every_problem(client, freelancer):
    client.force_login(freelancer)
    response = client.post(
        reverse("books:import_list"), {"source_format": "payoneer", "file": sample("bad_locale.csv")}
    )
    page = client.get(response.url).content.decode()
    assert "Nothing was imported" in page and "Row 2, column &#x27;Amount&#x27;" in page


def test_running_import_page_refreshes_itself(client, freelancer):
    client.force_login(freelancer)
    imp = StatementImport.objects.create(user=freelancer, source_format="payoneer", status="running", total_rows=10,
                                         processed_rows=4, file="x.csv")  # fmt: skip
    page = client.get(reverse("books:import_detail", args=[imp.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and '<progress value="4" max="10">' in page


def test_tax_page_and_statement(client, world, freelancer):
    client.force_login(freelancer)
    page = client.get(reverse("tax:tax_home") + "?year=2025-26").content.decode()
    assert "Estimate, not tax advice." in page and "154A" in page
    assert client.get(reverse("tax:tax_home") + "?year=1999-00").status_code == 404
    statement = client.get(reverse("tax:annual_statement", args=["2025-26"]))
    assert statement.status_code == 200 and b"Acme" in statement.content
    pdf = client.get(reverse("tax:annual_statement_pdf", args=["2025-26"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_missing_prc_page(client, world, freelancer):
    client.force_login(freelancer)
    remittance = world["remittance"]
    assert b"missing" in client.get(reverse("tax:prc_missing")).content
    client.post(reverse("books:remittance_prc", args=[remittance.pk]), {"prc_number": "PRC-77", "purpose_code": "9186"})
    assert b"Every remittance has its PRC" in client.get(reverse("tax:prc_missing")).content


def test_budget_form(client, freelancer):
    client.force_login(freelancer)
    assert client.post(reverse("books:budget"), {"internet": "5,000"}).status_code == 302
    assert freelancer.budgets.get().monthly_pkr == D("5000.00")
    assert client.post(reverse("books:budget"), {"internet": "abc"}).status_code == 400
