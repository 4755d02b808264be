"""Credit notes against an issued invoice: income:invoices +C · receivable −C."""

import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.errors import InvoicingError
from invoicing.models import (
    OPEN_STATES,
    DocumentKind,
    EventKind,
    Invoice,
    InvoiceLine,
    InvoiceState,
)
from invoicing.services._common import (
    _check_owner,
    _event,
    _format,
    _income,
    _locked,
    _minor,
    _post,
    _receivable,
    _transition,
)
from invoicing.services.client_link import _email_client, _invoice_mail_body
from invoicing.services.clients import settings_get
from invoicing.services.issue import _next_number
from invoicing.services.payments import _claim, _settle_state
from ledger import chart
from ledger.money import from_minor
from ledger.services import Leg


def credit_note_issue(
    *, invoice: Invoice, freelancer, amount: Decimal, reason: str, idempotency_key: str, send_email: bool = True
) -> Invoice:
    """Correct an issued invoice with a credit note: a negative invoice that references it and reverses
    part or all of what is still due (income:invoices +C · receivable −C). A fully credited invoice with
    no payments becomes void; one with payments becomes paid."""
    if not idempotency_key:
        raise InvoicingError(_("The form expired; please submit it again."))
    settings_get(freelancer=freelancer)
    request = {"amount": amount, "reason": reason.strip()}
    existing = Invoice.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        _check_owner(existing, freelancer)
        _claim(idempotency_key, freelancer, "credit_note_issue", existing.credit_for_id, request)
        return existing
    with transaction.atomic():
        invoice = _locked(invoice, freelancer)
        if not _claim(idempotency_key, freelancer, "credit_note_issue", invoice.pk, request):
            return Invoice.objects.get(idempotency_key=idempotency_key)
        if invoice.is_credit_note or invoice.state not in OPEN_STATES:
            raise InvoicingError(_("Only an issued, unpaid invoice can be credited."))
        if not reason.strip():
            raise InvoicingError(_("Say why the invoice is credited."))
        minor = _minor(amount, invoice.currency, _("The credit"))
        if minor > invoice.amount_due_minor:
            raise InvoicingError(
                _("A credit of %(amount)s is more than the %(due)s still due.")
                % {"amount": _format(invoice, minor), "due": _format(invoice, invoice.amount_due_minor)}
            )
        today = timezone.localdate()
        note = Invoice(
            freelancer=freelancer,
            client=invoice.client,
            kind=DocumentKind.CREDIT_NOTE,
            credit_for=invoice,
            currency=invoice.currency,
            issue_date=max(today, invoice.issue_date),
            due_date=max(today, invoice.issue_date),
            terms_days=0,
            notes=reason.strip()[:2000],
            reminders_enabled=False,
            idempotency_key=idempotency_key,
            subtotal_minor=-minor,
            total_minor=-minor,
        )
        note.number = _next_number(freelancer, DocumentKind.CREDIT_NOTE, note.issue_date)
        _transition(note, InvoiceState.SENT)
        note.sent_at = timezone.now()
        note.link_nonce = secrets.token_hex(16)
        note.save()
        InvoiceLine.objects.create(
            invoice=note,
            position=1,
            description=(_("Credit for invoice %(number)s: %(reason)s") % {"number": invoice.number, "reason": reason})[
                :300
            ],
            quantity=Decimal(1),
            unit_price_minor=minor,
            amount_minor=minor,
        )
        value = from_minor(minor, invoice.currency)
        _post(
            [Leg(_income(invoice), value), Leg(_receivable(invoice), -value)],
            idempotency_key=f"invoice:{note.pk}:issue",
            kind=chart.TxnKind.INVOICE_CREDIT_NOTE,
            valued_at=invoice.pkr_rate,
            memo=f"Credit note {note.number} for {invoice.number}"[:255],
            reference=f"invoice:{note.pk}",
        )
        invoice.credited_minor += minor
        _settle_state(invoice, today)
        invoice.save()
        _event(note, EventKind.ISSUED, lambda: _("Issued as %(number)s.") % {"number": note.number})
        _event(
            invoice,
            EventKind.CREDITED,
            lambda: (
                _("Credit note %(number)s for %(amount)s.") % {"number": note.number, "amount": _format(invoice, minor)}
            ),
        )
        if send_email:
            _email_client(
                invoice,
                _("Credit note %(number)s for invoice %(invoice)s")
                % {"number": note.number, "invoice": invoice.number},
                _invoice_mail_body(
                    invoice,
                    _("We have credited %(amount)s on this invoice: %(reason)s")
                    % {"amount": _format(invoice, minor), "reason": reason.strip()},
                ),
            )
        return note
