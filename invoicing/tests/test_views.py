"""Through the HTTP client: a freelancer adds a client, sends an invoice, the client opens the link and
downloads the PDF, payments are recorded; strangers get 404 everywhere and bad input saves nothing."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from invoicing import services
from invoicing.models import Client, Invoice, InvoiceState, Payment
from invoicing.tests.factories import ClientFactory, make_freelancer, make_invoice
from ledger.models import ExchangeRate, Transaction

pytestmark = pytest.mark.django_db


def invoice_form(client, **overrides):
    data = {
        "client": client.pk,
        "currency": "USD",
        "issue_date": timezone.localdate().isoformat(),
        "terms": "15",
        "l1_description": "Landing page",
        "l1_quantity": "1",
        "l1_price": "400.00",
        "l2_description": "Hosting set-up",
        "l2_quantity": "2.5",
        "l2_price": "20",
        "t1_name": "Sales tax",
        "t1_rate": "5",
        "discount": "10%",
        "late_fee_kind": "none",
        "late_fee_period_days": "30",
        "reminders_enabled": "on",
        "key": "form-key-1",
        "issue": "1",
    }
    data.update(overrides)
    return data


def test_full_flow_through_pages(client, mailoutbox):
    me = make_freelancer()
    client.force_login(me)
    response = client.post(
        reverse("invoicing:invoice_client_create"),
        {"name": "Emily Carter", "email": "emily@example.com", "default_currency": "USD", "payment_terms_days": "15"},
    )
    buyer = Client.objects.get(freelancer=me)
    assert response["Location"] == reverse("invoicing:invoice_client_detail", args=[buyer.pk])

    response = client.post(reverse("invoicing:invoice_create"), invoice_form(buyer))
    invoice = Invoice.objects.get()
    assert response["Location"] == reverse("invoicing:invoice_detail", args=[invoice.pk])
    assert invoice.state == InvoiceState.SENT and invoice.number.endswith("-0001")
    # (400 + 50) − 10% = 405; 5% tax = 20.25
    assert invoice.total == Decimal("425.25")
    client.post(reverse("invoicing:invoice_create"), invoice_form(buyer))  # double submit of the same form
    assert Invoice.objects.count() == 1

    mail = mailoutbox[-1]
    assert mail.to == ["emily@example.com"]
    link = re.search(r"https?://\S+/invoices/view/\S+/", mail.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    page = client.get("/" + path)
    assert page.status_code == 200 and invoice.number in page.content.decode()
    assert "Landing page" in page.content.decode()
    pdf = client.get("/" + path + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.VIEWED and invoice.first_viewed_at is not None

    client.force_login(me)
    detail = client.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()
    assert "The client first opened it on" in detail
    assert client.get(reverse("invoicing:invoice_pdf", args=[invoice.pk])).content.startswith(b"%PDF")

    payment_url = reverse("invoicing:invoice_payment_create", args=[invoice.pk])
    form = {
        "amount": "200.25",
        "currency": "USD",
        "received_on": timezone.localdate().isoformat(),
        "method": "wise",
        "key": "p1",
    }
    client.post(payment_url, form)
    client.post(payment_url, form)  # double submit
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PARTIALLY_PAID and Payment.objects.count() == 1
    response = client.post(payment_url, {**form, "amount": "225.00", "key": "p2", "realized_pkr": "62500"})
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    overview = client.get(reverse("invoicing:invoice_overview")).content.decode()
    assert "Average days to pay" in overview and "Emily Carter" in overview
    csv_text = client.get(reverse("invoicing:invoice_export", args=["payments"])).content.decode()
    assert "200.25" in csv_text and "62500.00" in csv_text
    assert invoice.number in client.get(reverse("invoicing:invoice_export", args=["invoices"])).content.decode()
    call_command("ledger_check")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"l1_quantity": "-2"}, "Quantity: A negative number is not allowed here"),
        ({"terms": "custom", "due_date": "2000-01-01"}, "The due date cannot be before the issue date"),
        ({"l1_price": "12.345"}, "more decimals than USD allows"),
        ({"discount": "120%"}, "The most this field takes is 100"),
        ({"l1_quantity": "abc"}, "is not a number"),
    ],
)
def test_bad_invoice_input_gets_a_clear_message_and_saves_nothing(client, overrides, message):
    buyer = ClientFactory()
    client.force_login(buyer.freelancer)
    response = client.post(reverse("invoicing:invoice_create"), invoice_form(buyer, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not Invoice.objects.exists() and not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"amount": "100", "currency": "EUR"}, "This invoice is in USD"),
        ({"amount": "600"}, "more than the"),
        ({"amount": "-1"}, "must be more than zero"),
    ],
)
def test_bad_payment_input(client, form, message):
    invoice = make_invoice()
    client.force_login(invoice.freelancer)
    data = {"currency": "USD", "received_on": timezone.localdate().isoformat(), "method": "bank", "key": "k", **form}
    response = client.post(reverse("invoicing:invoice_payment_create", args=[invoice.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.paid_minor == 0


def test_credit_note_and_void_through_pages(client):
    invoice = make_invoice()
    client.force_login(invoice.freelancer)
    client.post(
        reverse("invoicing:invoice_credit_note", args=[invoice.pk]),
        {"amount": "500", "reason": "Cancelled", "key": "c"},
    )
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.VOID and invoice.credit_notes.count() == 1
    other = make_invoice(client=invoice.client)
    page = client.post(reverse("invoicing:invoice_void", args=[other.pk])).content.decode()
    other.refresh_from_db()
    assert other.state != InvoiceState.VOID  # the first post only asks
    assert "cannot be undone" in page and other.client.name in page and 'name="confirm"' in page
    client.post(reverse("invoicing:invoice_void", args=[other.pk]), {"confirm": "1"})
    other.refresh_from_db()
    assert other.state == InvoiceState.VOID
    edit = client.get(reverse("invoicing:invoice_edit", args=[other.pk]))
    assert edit.status_code == 302  # sent invoices are not edited
    call_command("ledger_check")


def test_draft_edit_and_send(client):
    draft = make_invoice(issue=False)
    client.force_login(draft.freelancer)
    assert client.get(reverse("invoicing:invoice_edit", args=[draft.pk])).status_code == 200
    form = invoice_form(draft.client, key="")
    del form["issue"]
    response = client.post(reverse("invoicing:invoice_edit", args=[draft.pk]), form)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == InvoiceState.DRAFT and draft.total == Decimal("425.25")
    client.post(reverse("invoicing:invoice_issue", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == InvoiceState.SENT


def test_stranger_gets_404_everywhere(client):
    invoice = make_invoice()
    template = services.recurring_save(
        freelancer=invoice.freelancer,
        client=invoice.client,
        title="R",
        currency="USD",
        frequency="monthly",
        start_date=timezone.localdate(),
        lines=[services.LineInput("x", Decimal(1), Decimal(1))],
    )
    client.force_login(make_freelancer())
    gets = [
        reverse("invoicing:invoice_detail", args=[invoice.pk]),
        reverse("invoicing:invoice_edit", args=[invoice.pk]),
        reverse("invoicing:invoice_pdf", args=[invoice.pk]),
        reverse("invoicing:invoice_payment_create", args=[invoice.pk]),
        reverse("invoicing:invoice_credit_note", args=[invoice.pk]),
        reverse("invoicing:invoice_client_detail", args=[invoice.client.pk]),
        reverse("invoicing:invoice_client_edit", args=[invoice.client.pk]),
        reverse("invoicing:invoice_create") + f"?client={invoice.client.pk}",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("invoicing:invoice_issue", args=[invoice.pk]),
        reverse("invoicing:invoice_void", args=[invoice.pk]),
        reverse("invoicing:invoice_reminders", args=[invoice.pk]),
        reverse("invoicing:invoice_payment_create", args=[invoice.pk]),
        reverse("invoicing:invoice_credit_note", args=[invoice.pk]),
        reverse("invoicing:invoice_client_edit", args=[invoice.client.pk]),
        reverse("invoicing:invoice_recurring_stop", args=[template.pk]),
    ]
    for url in posts:
        assert client.post(url, {"amount": "1", "currency": "USD", "key": "z"}).status_code == 404, url
    assert invoice.number not in client.get(reverse("invoicing:invoice_list")).content.decode()
    assert invoice.client.name not in client.get(reverse("invoicing:invoice_client_list")).content.decode()
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.SENT and not Payment.objects.exists()


def test_anonymous_goes_to_login(client):
    invoice = make_invoice()
    for url in [
        reverse("invoicing:invoice_list"),
        reverse("invoicing:invoice_overview"),
        reverse("invoicing:invoice_detail", args=[invoice.pk]),
        reverse("invoicing:invoice_pdf", args=[invoice.pk]),
        reverse("invoicing:invoice_client_list"),
        reverse("invoicing:invoice_export", args=["invoices"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_tampered_or_draft_client_link_is_404(client):
    invoice = make_invoice()
    token = services.invoice_link_token(invoice)
    tampered = token[:-1] + ("x" if token[-1] != "x" else "y")
    assert client.get(reverse("invoicing:invoice_public", args=[tampered])).status_code == 404
    assert client.get(reverse("invoicing:invoice_public_pdf", args=[tampered])).status_code == 404
    assert client.get(reverse("invoicing:invoice_public", args=["abc"])).status_code == 404
    draft = make_invoice(issue=False)
    assert client.get(reverse("invoicing:invoice_public", args=[services.invoice_link_token(draft)])).status_code == 404
    page = client.get(reverse("invoicing:invoice_public", args=[token])).content.decode()
    assert draft.client.name not in page  # one invoice, nothing else


def test_overview_in_pkr_with_rate_and_without(client):
    ExchangeRate.objects.create(base_currency="USD", rate=Decimal("280"), rate_date=timezone.localdate())
    usd = make_invoice(issue_date=timezone.localdate() - timedelta(days=50), days=15)
    make_invoice(client=usd.client, currency="GBP", lines=(("Audit", "1", "100"),))
    services.reminders_run(today=timezone.localdate())
    client.force_login(usd.freelancer)
    page = client.get(reverse("invoicing:invoice_overview")).content.decode()
    assert "no rate" in page and "without GBP" in page
    assert "140,000.00" in page  # 500 USD at 280
    assert "31–60 days" in page


def test_settings_and_payment_methods(client):
    me = make_freelancer()
    client.force_login(me)
    response = client.post(
        reverse("invoicing:invoice_settings"),
        {"m-kind": "bank", "m-label": "Meezan PKR", "m-iban": "PK36SCBL0000001123456703", "add_method": "1"},
    )
    assert "not a valid IBAN" in response.content.decode()
    client.post(
        reverse("invoicing:invoice_settings"),
        {"m-kind": "bank", "m-label": "Meezan PKR", "m-iban": "PK36 SCBL 0000 0011 2345 6702", "add_method": "1"},
    )
    assert me.payment_methods.get().iban == "PK36SCBL0000001123456702"
    data = {
        "number_prefix": "AS-",
        "credit_note_prefix": "ASC-",
        "default_terms_days": "30",
        "remind_days_before": "2",
        "remind_every_days_after": "5",
        "late_fee_percent": "1.5",
        "late_fee_period_days": "30",
        "late_fee_cap_percent": "10",
    }
    client.post(reverse("invoicing:invoice_settings"), data)
    me.invoice_settings.refresh_from_db()
    assert me.invoice_settings.number_prefix == "AS-" and me.invoice_settings.reminders_enabled is False


def test_pages_are_light(client):
    invoice = make_invoice()
    client.force_login(invoice.freelancer)
    css = client.get("/static/web/site.css")
    css_size = len(b"".join(css.streaming_content)) if css.status_code == 200 else 5000
    for url in [
        reverse("invoicing:invoice_list"),
        reverse("invoicing:invoice_detail", args=[invoice.pk]),
        reverse("invoicing:invoice_create"),
        reverse("invoicing:invoice_overview"),
        reverse("invoicing:invoice_public", args=[services.invoice_link_token(invoice)]),
    ]:
        body = client.get(url).content
        assert len(body) + css_size < 60_000, url
        assert b"<script" not in body


def test_send_that_fails_saves_no_draft_either(client):
    buyer = ClientFactory()
    client.force_login(buyer.freelancer)
    response = client.post(
        reverse("invoicing:invoice_create"), invoice_form(buyer, l1_price="0", l2_price="0", discount="")
    )
    assert "must add up to more than zero" in response.content.decode()
    assert not Invoice.objects.exists()


def test_pdf_with_urdu_labels(client):
    invoice = make_invoice(urdu_labels=True)
    client.force_login(invoice.freelancer)
    response = client.get(reverse("invoicing:invoice_pdf", args=[invoice.pk]))
    assert response.content.startswith(b"%PDF") and invoice.number in response["Content-Disposition"]
