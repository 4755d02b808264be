"""Issuing and voiding: numbering, the receivable posted once, the transition table, only the owner acts."""

from decimal import Decimal

import pytest

from invoicing import services
from invoicing.calculations import LineInput
from invoicing.errors import InvoicingError
from invoicing.models import INVOICE_TRANSITIONS, InvoiceState
from invoicing.tests.factories import ClientFactory, make_invoice
from invoicing.tests.helpers import TODAY, assert_ledger_ok, balance, pay
from ledger.models import Transaction

pytestmark = pytest.mark.django_db


def test_draft_has_no_number_and_issue_numbers_are_sequential_with_prefix():
    client = ClientFactory()
    services.settings_update(freelancer=client.freelancer, number_prefix="AS-{year}/")
    draft = make_invoice(client=client, issue=False)
    assert draft.number == "" and draft.state == InvoiceState.DRAFT
    first = make_invoice(client=client)
    second = make_invoice(client=client)
    services.invoice_issue(invoice=draft, freelancer=client.freelancer)
    draft.refresh_from_db()
    year = TODAY().year
    assert [first.number, second.number, draft.number] == [f"AS-{year}/0001", f"AS-{year}/0002", f"AS-{year}/0003"]
    # another freelancer has their own sequence
    assert make_invoice().number == f"INV-{year}-0001"


def test_issue_posts_receivable_and_income_once():
    invoice = make_invoice(lines=(("Logo", "2", "150.00"),), taxes=(("GST", "5"),))
    assert invoice.total == Decimal("315.00")
    user = invoice.freelancer
    assert balance(user, f"receivable:{invoice.client_id}") == Decimal("315.00")
    assert balance(user, "income:invoices") == Decimal("315.00")
    again = services.invoice_issue(invoice=invoice, freelancer=user)  # double submit: nothing more
    assert again.number == invoice.number
    assert Transaction.objects.filter(reference=f"invoice:{invoice.pk}").count() == 1
    assert invoice.events.filter(kind="emailed").count() == 1
    assert_ledger_ok()


def test_void_reverses_ledger_and_refuses_after_payment():
    invoice = make_invoice()
    services.invoice_void(invoice=invoice, freelancer=invoice.freelancer)
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.VOID
    assert balance(invoice.freelancer, f"receivable:{invoice.client_id}") == 0
    paid = make_invoice()
    pay(paid, "1", "p")
    with pytest.raises(InvoicingError, match="credit note"):
        services.invoice_void(invoice=paid, freelancer=paid.freelancer)
    assert_ledger_ok()


def test_another_freelancer_cannot_touch_an_invoice():
    invoice = make_invoice()
    stranger = ClientFactory().freelancer
    with pytest.raises(InvoicingError):
        services.payment_record(
            invoice=invoice,
            freelancer=stranger,
            amount=Decimal(1),
            currency="USD",
            received_on=TODAY(),
            method="wise",
            idempotency_key="x",
        )
    with pytest.raises(InvoicingError):
        services.invoice_void(invoice=invoice, freelancer=stranger)
    with pytest.raises(InvoicingError):  # a client that is not theirs
        services.invoice_save_draft(
            freelancer=stranger,
            client=invoice.client,
            currency="USD",
            issue_date=TODAY(),
            due_date=TODAY(),
            lines=[LineInput("x", Decimal(1), Decimal(1))],
        )


def test_transitions_table_is_the_only_way():
    invoice = make_invoice()
    services.invoice_void(invoice=invoice, freelancer=invoice.freelancer)
    assert INVOICE_TRANSITIONS[InvoiceState.VOID] == set()
    with pytest.raises(InvoicingError):
        services.invoice_issue(
            invoice=make_invoice(issue=False, lines=(("Free", "1", "0"),)), freelancer=invoice.freelancer
        )
