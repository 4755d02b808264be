"""Drafts: totals rounded once per line, no editing once sent, bad input saves nothing."""

from decimal import Decimal

import pytest

from invoicing import services
from invoicing.calculations import LineInput, TaxInput, compute_totals
from invoicing.errors import InvoicingError
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, make_invoice

pytestmark = pytest.mark.django_db


def test_totals_round_once_per_line_discount_and_tax():
    totals = compute_totals(
        lines=[LineInput("Hours", Decimal("2.5"), Decimal("33.33")), LineInput("Fee", Decimal("1"), Decimal("0.01"))],
        taxes=[TaxInput("Sales tax", Decimal("16")), TaxInput("Cess", Decimal("0.5"))],
        currency="USD",
        discount_percent=Decimal("10"),
    )
    # 2.5 × 33.33 = 83.325 → 83.32 (half-even); subtotal 83.33; 10% = 8.333 → 8.33; taxable 75.00
    assert totals.line_amounts_minor == [8332, 1]
    assert totals.discount_minor == 833
    assert totals.tax_amounts_minor == [1200, 38]  # 12.00 and 0.375 → 0.38
    assert totals.total_minor == 7500 + 1238


def test_sent_invoice_cannot_be_edited():
    invoice = make_invoice()
    with pytest.raises(InvoicingError, match="credit note"):
        services.invoice_save_draft(
            freelancer=invoice.freelancer,
            invoice=invoice,
            client=invoice.client,
            currency="USD",
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            lines=[LineInput("More", Decimal(1), Decimal(1))],
        )


@pytest.mark.parametrize(
    ("lines", "days", "message"),
    [
        ((("Work", "-1", "10"),), 15, "must be more than zero"),
        ((("Work", "1", "10"),), -1, "due date cannot be before"),
        ((("Work", "1", "-10"),), 15, "must be more than zero"),
    ],
)
def test_bad_drafts_are_refused_and_save_nothing(lines, days, message):
    client = ClientFactory()
    with pytest.raises(InvoicingError, match=message):
        make_invoice(client=client, lines=lines, days=days, issue=False)
    assert not Invoice.objects.exists()
