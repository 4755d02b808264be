"""Credit notes: issued against an invoice, never sent, settling what they cover; the ledger stays balanced."""

from decimal import Decimal

import pytest

from invoicing import services
from invoicing.errors import InvoicingError
from invoicing.models import InvoiceState
from invoicing.tests.factories import make_invoice
from invoicing.tests.helpers import TODAY, assert_ledger_ok, balance, pay

pytestmark = pytest.mark.django_db


def test_credit_note_reverses_part_and_can_cancel_the_rest():
    invoice = make_invoice()
    user = invoice.freelancer
    note = services.credit_note_issue(
        invoice=invoice, freelancer=user, amount=Decimal("100"), reason="Logo dropped", idempotency_key="c1"
    )
    assert note.number == f"CN-{TODAY().year}-0001" and note.total == Decimal("-100.00")
    assert note.credit_for == invoice
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("400.00") and invoice.state == InvoiceState.SENT
    assert balance(user, f"receivable:{invoice.client_id}") == Decimal("400.00")
    with pytest.raises(InvoicingError, match="more than the"):
        services.credit_note_issue(
            invoice=invoice, freelancer=user, amount=Decimal("400.01"), reason="x", idempotency_key="c2"
        )
    services.credit_note_issue(
        invoice=invoice, freelancer=user, amount=Decimal("400"), reason="All", idempotency_key="c3"
    )
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.VOID
    assert balance(user, f"receivable:{invoice.client_id}") == 0
    assert_ledger_ok()


def test_credit_after_partial_payment_settles_as_paid():
    invoice = make_invoice()
    pay(invoice, "450", "p")
    services.credit_note_issue(
        invoice=invoice, freelancer=invoice.freelancer, amount=Decimal("50"), reason="Goodwill", idempotency_key="c"
    )
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    assert_ledger_ok()


def test_a_credit_note_is_issued_not_sent_and_has_no_due_date():
    invoice = make_invoice(lines=(("Build", "1", "500.00"),))
    note = services.credit_note_issue(
        invoice=invoice, freelancer=invoice.freelancer, amount=Decimal("100"), reason="Scope", idempotency_key="cn1"
    )
    assert note.state_label == "Issued"
    from invoicing.pdf import invoice_pdf_html

    assert "Due" not in invoice_pdf_html(note)
