"""Payments against issued invoices, checked against the ledger (which must stay balanced)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from invoicing import services
from invoicing.errors import InvoicingError
from invoicing.models import Invoice, InvoiceState, Payment
from invoicing.tests.factories import make_invoice
from invoicing.tests.helpers import TODAY, assert_ledger_ok, balance, pay
from ledger.models import ExchangeRate, Transaction

pytestmark = pytest.mark.django_db


def test_partial_then_full_payment(mailoutbox):
    invoice = make_invoice()
    user = invoice.freelancer
    pay(invoice, "200", "k1")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PARTIALLY_PAID and invoice.amount_due == Decimal("300.00")
    pay(invoice, "200", "k1")  # the same form submitted twice
    invoice.refresh_from_db()
    assert invoice.paid == Decimal("200.00") and Payment.objects.count() == 1
    pay(invoice, "300", "k2", method="bank")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID and invoice.amount_due == 0
    assert balance(user, f"receivable:{invoice.client_id}") == 0
    assert balance(user, "cash:wise") == Decimal("200.00")
    assert balance(user, "cash:bank") == Decimal("300.00")
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("500.01", "USD", "more than the"),
        ("100", "EUR", "This invoice is in USD"),
        ("-5", "USD", "must be more than zero"),
        ("0.001", "USD", "more decimals"),
    ],
)
def test_bad_payments_are_refused_and_save_nothing(amount, currency, message):
    invoice = make_invoice()
    before = Transaction.objects.count()
    with pytest.raises(InvoicingError, match=message):
        pay(invoice, amount, "bad", currency=currency)
    invoice.refresh_from_db()
    assert invoice.paid_minor == 0 and invoice.state == InvoiceState.SENT
    assert Payment.objects.count() == 0 and Transaction.objects.count() == before


def test_payment_with_realized_pkr_converts_against_reference_rate():
    ExchangeRate.objects.create(base_currency="USD", rate=Decimal("280"), rate_date=TODAY() - timedelta(days=1))
    invoice = make_invoice()
    payment = pay(invoice, "500", "k", method="payoneer", realized_pkr=Decimal("138500"))
    assert payment.realized_pkr == Decimal("138500.00")
    user = invoice.freelancer
    assert balance(user, "cash:payoneer") == 0  # converted onward
    assert balance(user, "cash:bank", "PKR") == Decimal("138500.00")
    assert payment.conversion.fx_rate == Decimal("277")
    assert_ledger_ok()


def test_payment_on_draft_or_void_is_refused():
    draft = make_invoice(issue=False)
    with pytest.raises(InvoicingError, match="takes no payments"):
        pay(draft, "10", "k")


def test_a_payment_key_replayed_with_another_amount_is_refused():
    invoice = make_invoice()
    first = pay(invoice, "100", "pay-1")
    assert pay(invoice, "100.00", "pay-1").pk == first.pk
    with pytest.raises(InvoicingError, match="different request"):
        pay(invoice, "400", "pay-1")
    assert Payment.objects.count() == 1
    credit = dict(invoice=invoice, freelancer=invoice.freelancer, reason="Discount", idempotency_key="credit-1",
                  send_email=False)  # fmt: skip
    services.credit_note_issue(amount=Decimal(50), **credit)
    with pytest.raises(InvoicingError, match="different request"):
        services.credit_note_issue(amount=Decimal(60), **credit)
    assert Invoice.objects.filter(credit_for=invoice).count() == 1
    assert_ledger_ok()
