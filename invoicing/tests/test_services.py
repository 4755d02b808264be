"""Invoices through the services: numbering, totals, issuing, payments, credit notes and voids, each
checked against the ledger (which must stay balanced)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from common.iban import iban_is_valid
from invoicing import services
from invoicing.calculations import LineInput, TaxInput, compute_totals
from invoicing.errors import InvoicingError
from invoicing.models import INVOICE_TRANSITIONS, Invoice, InvoiceState, Payment
from invoicing.tests.factories import ClientFactory, make_invoice
from ledger.models import Account, ExchangeRate, Transaction, personal_book

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def balance(user, path, currency="USD"):
    account = Account.objects.filter(code=f"{personal_book(user.pk)}:{path}:{currency}").first()
    return account.balance if account else Decimal("0.00")


def pay(invoice, amount, key, **kwargs):
    kwargs.setdefault("currency", invoice.currency)
    kwargs.setdefault("method", "wise")
    kwargs.setdefault("received_on", TODAY())
    return services.payment_record(
        invoice=invoice, freelancer=invoice.freelancer, amount=Decimal(amount), idempotency_key=key, **kwargs
    )


def assert_ledger_ok():
    call_command("ledger_check")  # exits non-zero (SystemExit) when any invariant is broken


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


def test_client_link_token_is_signed():
    invoice = make_invoice()
    token = services.invoice_link_token(invoice)
    assert services.invoice_from_token(token) == invoice
    assert services.invoice_from_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]) is None
    other = make_invoice()
    forged = services.invoice_link_token(other).split(":")[0] + ":" + token.split(":", 1)[1]
    assert services.invoice_from_token(forged) is None
    assert services.invoice_from_token("nonsense") is None


def test_iban_check():
    assert iban_is_valid("PK36SCBL0000001123456702")
    assert not iban_is_valid("PK36SCBL0000001123456703")


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


def test_the_pdf_names_the_business_with_address_ntn_separators_and_the_frozen_pkr_line():
    from invoicing.pdf import invoice_pdf_html
    from ledger.models import ExchangeRate

    ExchangeRate.objects.create(base_currency="USD", rate=Decimal("280.75"), rate_date=timezone.localdate())
    invoice = make_invoice(lines=(("Build", "1", "1310.85"),))
    profile = invoice.freelancer.freelancer_profile
    profile.ntn = "1234567-8"
    profile.save()
    services.settings_update(
        freelancer=invoice.freelancer, business_name="Ayesha Studio", business_address="12 Mall Road\nLahore",
        show_ntn=True,
    )  # fmt: skip
    html = invoice_pdf_html(invoice)
    assert "Ayesha Studio" in html and "12 Mall Road<br>Lahore" in html and "NTN: 1234567-8" in html
    assert "1,310.85" in html and "1310.85" not in html
    assert "368,021.14" in html  # 1,310.85 × 280.75 = 368,021.1375, rounded once
    services.settings_update(freelancer=invoice.freelancer, show_ntn=False)
    assert "1234567-8" not in invoice_pdf_html(invoice)


def test_a_credit_note_is_issued_not_sent_and_has_no_due_date():
    invoice = make_invoice(lines=(("Build", "1", "500.00"),))
    note = services.credit_note_issue(
        invoice=invoice, freelancer=invoice.freelancer, amount=Decimal("100"), reason="Scope", idempotency_key="cn1"
    )
    assert note.state_label == "Issued"
    from invoicing.pdf import invoice_pdf_html

    assert "Due" not in invoice_pdf_html(note)
