"""Issuing an invoice (receivable:<client>:<CUR> +T · income:invoices:<CUR> −T) under the next number, and
voiding one (its issue and late-fee transactions reversed)."""

import secrets
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.errors import InvoicingError
from invoicing.models import (
    DocumentKind,
    EventKind,
    Invoice,
    InvoiceSettings,
    InvoiceState,
)
from invoicing.services._common import _event, _frozen_rate, _income, _locked, _post, _receivable, _transition
from invoicing.services.client_link import _email_client, _invoice_mail_body
from invoicing.services.clients import settings_get
from invoicing.services.drafts import invoice_save_draft
from ledger import chart
from ledger.errors import LedgerError
from ledger.models import Transaction
from ledger.services import Leg, reverse_transaction


@transaction.atomic
def invoice_save(*, issue: bool = False, **draft) -> Invoice:
    """Save a draft (`invoice_save_draft`'s arguments) and, with `issue`, issue it: both happen or neither."""
    invoice = invoice_save_draft(**draft)
    if issue:
        invoice = invoice_issue(invoice=invoice, freelancer=draft["freelancer"])
    return invoice


def _next_number(freelancer, kind: str, issue_date: date) -> str:
    """Take the next number from the freelancer's counter under a row lock; the caller's transaction either
    commits the number with the invoice or gives it back, so no number is skipped or used twice."""
    row = InvoiceSettings.objects.select_for_update().get(freelancer=freelancer)
    if kind == DocumentKind.CREDIT_NOTE:
        sequence, prefix = row.next_credit_note_number, row.credit_note_prefix
        row.next_credit_note_number += 1
    else:
        sequence, prefix = row.next_invoice_number, row.number_prefix
        row.next_invoice_number += 1
    row.save(update_fields=["next_credit_note_number", "next_invoice_number"])
    return f"{prefix.format(year=issue_date.year)}{sequence:04d}"


def invoice_issue(*, invoice: Invoice, freelancer, send_email: bool = True) -> Invoice:
    """Give the draft its number, post the receivable (receivable +T · income:invoices −T), mark it sent
    and e-mail the client the link. Issuing an already issued invoice changes nothing."""
    settings_get(freelancer=freelancer)  # the counter row exists before the transaction locks it
    with transaction.atomic():
        invoice = _locked(invoice, freelancer)
        if invoice.state != InvoiceState.DRAFT:
            return invoice
        if invoice.total_minor <= 0:
            raise InvoicingError(_("An invoice must add up to more than zero."))
        if invoice.due_date < invoice.issue_date:
            raise InvoicingError(_("The due date cannot be before the issue date."))
        invoice.number = _next_number(freelancer, invoice.kind, invoice.issue_date)
        _transition(invoice, InvoiceState.SENT)
        invoice.sent_at = timezone.now()
        invoice.link_nonce = secrets.token_hex(16)
        if invoice.payment_method is not None:
            invoice.payment_instructions = invoice.payment_method.instructions
        invoice.pkr_rate = _frozen_rate(invoice.currency, invoice.issue_date)
        _post(
            [Leg(_receivable(invoice), invoice.total), Leg(_income(invoice), -invoice.total)],
            idempotency_key=f"invoice:{invoice.pk}:issue",
            kind=chart.TxnKind.INVOICE_ISSUE,
            valued_at=invoice.pkr_rate,
            memo=f"Invoice {invoice.number} to {invoice.client.name}"[:255],
            reference=f"invoice:{invoice.pk}",
        )
        invoice.save()
        _event(invoice, EventKind.ISSUED, lambda: _("Issued as %(number)s.") % {"number": invoice.number})
        if send_email:
            _email_client(
                invoice,
                _("Invoice %(number)s from %(name)s") % {"number": invoice.number, "name": freelancer.name},
                _invoice_mail_body(invoice, _("Please find your invoice below.")),
            )
        return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice, freelancer) -> Invoice:
    """Cancel a draft, or an issued invoice on which nothing was paid or credited: its issue and late-fee
    transactions are reversed, so the receivable goes back to what it was."""
    invoice = _locked(invoice, freelancer)
    if invoice.is_credit_note:
        raise InvoicingError(_("A credit note cannot be voided."))
    if invoice.paid_minor or invoice.credited_minor:
        raise InvoicingError(
            _("Payments or credit notes were recorded on this invoice; issue a credit note for the rest instead.")
        )
    _transition(invoice, InvoiceState.VOID)
    if invoice.number:
        for posted in Transaction.objects.filter(
            reference=f"invoice:{invoice.pk}", kind__in=["invoice_issue", "invoice_late_fee"]
        ):
            try:
                reverse_transaction(original=posted, memo=f"Invoice {invoice.number} voided")
            except LedgerError as error:
                raise InvoicingError(str(error)) from None
    invoice.voided_at = timezone.now()
    invoice.save()
    _event(invoice, EventKind.VOIDED, lambda: _("Voided."))
    return invoice
