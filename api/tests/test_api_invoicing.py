"""Invoicing through the API: direct clients, drafts, issuing, voiding, payments, credit notes and the PDF.
Same services as the pages; strangers get a 404 problem, read-only tokens a 403, money without a key a 400."""

import uuid

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.models import TokenScope
from api.tests.test_conventions import assert_problem
from invoicing.models import Client, Invoice, InvoiceState, Payment
from invoicing.tests.factories import ClientFactory, make_freelancer, make_invoice
from ledger.checks import ledger_problems
from ledger.models import Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def key() -> str:
    return uuid.uuid4().hex


def read_only(api, user):
    token = Token.objects.create(user=user)
    TokenScope.objects.create(token=token, read_only=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")


def draft_body(client, **extra):
    today = timezone.localdate()
    return {
        "client": client.pk,
        "currency": "USD",
        "issue_date": str(today),
        "due_date": str(today + timezone.timedelta(days=15)),
        "lines": [{"description": "Website build", "quantity": "2", "unit_price": "250.00"}],
        "taxes": [{"name": "Sales tax", "rate_percent": "10"}],
        **extra,
    }


def test_a_client_is_added_once_per_key_and_listed_without_its_email(api):
    freelancer = make_freelancer()
    api.force_authenticate(freelancer)
    body = {"name": "Acme", "email": "billing@acme.example", "company": "Acme Ltd", "default_currency": "GBP"}
    assert "Idempotency-Key" in assert_problem(api.post("/api/clients/", body, format="json"), 400)["errors"]
    assert (
        "email"
        in assert_problem(
            api.post("/api/clients/", {**body, "email": "nope"}, format="json", HTTP_IDEMPOTENCY_KEY=key()), 400
        )["errors"]
    )
    same = key()
    first = api.post("/api/clients/", body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    again = api.post("/api/clients/", body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json() == first.json()
    assert Client.objects.filter(freelancer=freelancer).count() == 1
    assert_problem(api.post("/api/clients/", {**body, "name": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)
    listed = api.get("/api/clients/")
    assert [row["name"] for row in listed.json()["results"]] == ["Acme"]
    assert "@" not in listed.content.decode() and "@" not in first.content.decode()


def test_a_draft_is_created_once_issued_once_and_paid_once(api):
    client = ClientFactory()
    freelancer = client.freelancer
    api.force_authenticate(freelancer)
    same = key()
    first = api.post("/api/invoices/", draft_body(client), format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    invoice = first.json()
    assert invoice["state"] == InvoiceState.DRAFT and invoice["number"] == ""
    assert invoice["total"] == {"amount": "550.00", "currency": "USD"}
    assert [line["description"] for line in invoice["lines"]] == ["Website build"]
    again = api.post("/api/invoices/", draft_body(client), format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 201 and again.json()["id"] == invoice["id"]
    assert Invoice.objects.count() == 1
    other = draft_body(client, currency="EUR")
    assert_problem(api.post("/api/invoices/", other, format="json", HTTP_IDEMPOTENCY_KEY=same), 409)

    url = f"/api/invoices/{invoice['id']}/"
    assert "Idempotency-Key" in assert_problem(api.post(url + "issue/"), 400)["errors"]
    issue_key = key()
    issued = api.post(url + "issue/", HTTP_IDEMPOTENCY_KEY=issue_key)
    assert issued.status_code == 200, issued.content
    assert issued.json()["state"] == InvoiceState.SENT and issued.json()["number"]
    assert api.post(url + "issue/", HTTP_IDEMPOTENCY_KEY=issue_key).json() == issued.json()
    assert Transaction.objects.filter(kind="invoice_issue").count() == 1
    assert len(mail.outbox) == 1

    payment = {"amount": "200.00", "date": str(timezone.localdate())}
    assert "Idempotency-Key" in assert_problem(api.post(url + "payments/", payment, format="json"), 400)["errors"]
    pay_key = key()
    paid = api.post(url + "payments/", payment, format="json", HTTP_IDEMPOTENCY_KEY=pay_key)
    assert paid.status_code == 201, paid.content
    assert paid.json()["state"] == InvoiceState.PARTIALLY_PAID
    assert paid.json()["amount_due"]["amount"] == "350.00"
    replay = api.post(url + "payments/", payment, format="json", HTTP_IDEMPOTENCY_KEY=pay_key)
    assert replay.status_code == 201 and replay.json()["amount_due"]["amount"] == "350.00"
    assert Payment.objects.count() == 1
    assert_problem(
        api.post(url + "payments/", {**payment, "amount": "1.00"}, format="json", HTTP_IDEMPOTENCY_KEY=pay_key), 409
    )
    too_much = {**payment, "amount": "9999.00"}
    assert_problem(api.post(url + "payments/", too_much, format="json", HTTP_IDEMPOTENCY_KEY=key()), 409)
    assert ledger_problems() == []


def test_the_same_key_from_two_users_never_meets(api):
    one, two = make_invoice(), make_invoice()
    shared = "order-1"
    for invoice in (one, two):
        api.force_authenticate(invoice.freelancer)
        body = {"amount": "100.00", "date": str(timezone.localdate())}
        response = api.post(f"/api/invoices/{invoice.pk}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY=shared)
        assert response.status_code == 201, response.content
    assert Payment.objects.count() == 2


def test_a_credit_note_is_issued_once_per_key_and_a_void_is_refused_after(api):
    invoice = make_invoice()
    api.force_authenticate(invoice.freelancer)
    url = f"/api/invoices/{invoice.pk}/credit-notes/"
    body = {"amount": "100.00", "reason": "Discount agreed"}
    assert "Idempotency-Key" in assert_problem(api.post(url, body, format="json"), 400)["errors"]
    same = key()
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 201, first.content
    assert first.json()["kind"] == "credit_note" and first.json()["credit_for"] == invoice.pk
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.json()["id"] == first.json()["id"]
    assert Invoice.objects.filter(credit_for=invoice).count() == 1
    assert api.get(f"/api/invoices/{invoice.pk}/").json()["amount_due"]["amount"] == "400.00"
    assert_problem(api.post(f"/api/invoices/{invoice.pk}/void/"), 409)
    assert ledger_problems() == []


def test_void_lists_by_state_and_the_pdf(api):
    invoice = make_invoice()
    draft = make_invoice(client=invoice.client, issue=False)
    api.force_authenticate(invoice.freelancer)
    voided = api.post(f"/api/invoices/{invoice.pk}/void/")
    assert voided.status_code == 200 and voided.json()["state"] == InvoiceState.VOID
    # Voiding again changes nothing: the receivable is reversed once.
    posted = Transaction.objects.count()
    assert api.post(f"/api/invoices/{invoice.pk}/void/").json()["state"] == InvoiceState.VOID
    assert Transaction.objects.count() == posted
    everything = api.get("/api/invoices/").json()["results"]
    assert [row["id"] for row in everything] == [draft.pk, invoice.pk]
    drafts = api.get("/api/invoices/", {"state": "draft"}).json()["results"]
    assert [row["id"] for row in drafts] == [draft.pk]
    assert_problem(api.get("/api/invoices/", {"state": "lost"}), 400)
    pdf = api.get(f"/api/invoices/{draft.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert ledger_problems() == []


def test_strangers_get_404_problems_and_read_only_tokens_403(api):
    invoice = make_invoice()
    draft = make_invoice(client=invoice.client, issue=False)
    api.force_authenticate(make_freelancer())
    for pk in (invoice.pk, draft.pk):
        assert_problem(api.get(f"/api/invoices/{pk}/"), 404)
        assert_problem(api.get(f"/api/invoices/{pk}/pdf/"), 404)
    assert api.get("/api/invoices/").json()["results"] == []
    assert api.get("/api/clients/").json()["results"] == []
    posts = [
        (f"/api/invoices/{draft.pk}/issue/", {}),
        (f"/api/invoices/{draft.pk}/void/", {}),
        (f"/api/invoices/{invoice.pk}/payments/", {"amount": "1.00", "date": str(timezone.localdate())}),
        (f"/api/invoices/{invoice.pk}/credit-notes/", {"amount": "1.00", "reason": "x"}),
    ]
    for url, body in posts:
        assert_problem(api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    # Someone else's client cannot be invoiced.
    body = draft_body(invoice.client)
    assert_problem(api.post("/api/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY=key()), 404)
    draft.refresh_from_db()
    assert draft.state == InvoiceState.DRAFT
    api.force_authenticate(None)
    read_only(api, invoice.freelancer)
    assert api.get(f"/api/invoices/{invoice.pk}/").status_code == 200
    writes = [*posts, ("/api/invoices/", body), ("/api/clients/", {"name": "x", "email": "x@example.com"})]
    for url, data in writes:
        assert_problem(api.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=key()), 403)
    assert Invoice.objects.count() == 2 and Payment.objects.count() == 0
