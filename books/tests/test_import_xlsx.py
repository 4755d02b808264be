"""XLSX statements (issue 12, item 3): a bank's Excel export reads like its CSV; other binaries are refused."""

import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from books.imports import statement_import_create
from books.models import Entry, ImportStatus
from books.services import cash
from books.statements import StatementError, decode
from ledger.checks import ledger_problems
from ledger.selectors import account_balance

D = Decimal


def workbook(rows, *, extra_sheet: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Statement"
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("Notes").append(["ignored", 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BANK_ROWS = [
    ["Txn Date", "Value Date", "Narration", "Cheque No", "Debit", "Credit", "Balance"],
    [datetime(2025, 7, 11), datetime(2025, 7, 11), "PAYONEER TRANSFER REF 88123", None, None, 279500, 279500],
    [datetime(2025, 7, 15), datetime(2025, 7, 15), "K-ELECTRIC BILL 0400012345", None, 8450.5, None, 271049.5],
    [datetime(2025, 7, 25), datetime(2025, 7, 25), "IBFT FROM AL NOOR TRADING", None, None, 50000, 321049.5],
]


def test_a_bank_xlsx_imports_like_its_csv_and_again_adds_nothing(freelancer, rates):
    data = workbook(BANK_ROWS, extra_sheet=True)
    imp = statement_import_create(user=freelancer, source_format="auto", upload=SimpleUploadedFile("s.xlsx", data))
    assert imp.status == ImportStatus.DONE, imp.errors
    assert (imp.mapping["layout"], imp.created_count, imp.total_rows) == ("bank", 3, 3)
    assert account_balance(account=cash(freelancer, "bank", "PKR")) == D("321049.50")
    rows = sorted(Entry.objects.filter(user=freelancer).values_list("kind", "category", "amount_minor", "occurred_on"))
    assert [r[:3] for r in rows] == [
        ("expense", "electricity", 845050),
        ("income", "", 5000000),
        ("transfer", "", -27950000),
    ]
    assert str(rows[0][3]) == "2025-07-15"
    again = statement_import_create(user=freelancer, source_format="auto", upload=SimpleUploadedFile("s.xlsx", data))
    assert again.created_count == 0
    assert ledger_problems() == []


def test_dates_typed_as_text_in_a_sheet_still_read_day_first(freelancer, rates):
    rows = [BANK_ROWS[0], ["11/07/2025", "11/07/2025", "NAYATEL", None, "2,500.00", None, None]]
    upload = SimpleUploadedFile("s.xlsx", workbook(rows))
    imp = statement_import_create(user=freelancer, source_format="auto", upload=upload)
    assert imp.status == ImportStatus.DONE, imp.errors
    assert str(Entry.objects.get(user=freelancer).occurred_on) == "2025-07-11"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel .xls"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "not a CSV or XLSX file"),
        (b"PK\x03\x04" + b"\x00" * 64, "not an XLSX workbook"),
    ],
)
def test_other_binaries_are_refused_with_a_clear_message(content, message):
    with pytest.raises(StatementError) as error:
        decode(content)
    assert message in error.value.errors[0]


def test_a_zip_that_is_not_a_workbook_is_refused_on_the_page(client, freelancer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("statement.csv", "Date,Amount\n2025-07-01,1\n")
    client.force_login(freelancer)
    response = client.post(
        reverse("books:import_list"), {"source_format": "auto", "file": SimpleUploadedFile("s.xlsx", out.getvalue())}
    )
    assert response.status_code == 400
    assert "not an XLSX workbook" in response.content.decode()
    assert not Entry.objects.exists()
