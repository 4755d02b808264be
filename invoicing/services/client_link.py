"""The client's private link to an invoice (a signed token), recording that the client viewed it, and the
e-mails sent to the client."""

import secrets

from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.models import (
    EventKind,
    Invoice,
    InvoiceState,
)
from invoicing.services._common import _event, _format, _transition, site_url
from webhooks import services as webhooks
from webhooks.events import INVOICE_VIEWED

LINK_SALT = "invoicing.client-link"


def invoice_link_token(invoice: Invoice) -> str:
    """The signed token of the client link: the invoice id and its random nonce, signed with SECRET_KEY, so
    it cannot be guessed or altered to reach another invoice."""
    return signing.dumps([invoice.pk, invoice.link_nonce], salt=LINK_SALT)


def invoice_link_url(invoice: Invoice) -> str:
    return site_url() + reverse("invoicing:invoice_public", args=[invoice_link_token(invoice)])


def invoice_from_token(token: str) -> Invoice | None:
    """The sent invoice a client link points at, or None for a tampered, unknown or unsent one."""
    try:
        pk, nonce = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    invoice = Invoice.objects.select_related("client", "freelancer").filter(pk=pk).first()
    if invoice is None or not invoice.link_nonce or invoice.state == InvoiceState.DRAFT:
        return None
    if not secrets.compare_digest(str(nonce), invoice.link_nonce):
        return None
    return invoice


@transaction.atomic
def invoice_record_view(*, invoice: Invoice) -> Invoice:
    """The client opened the link: the first view is recorded (a sent invoice becomes viewed)."""
    row = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if row.first_viewed_at is not None:
        return row
    row.first_viewed_at = timezone.now()
    if row.state == InvoiceState.SENT:
        _transition(row, InvoiceState.VIEWED)
    row.save(update_fields=["first_viewed_at", "state", "updated_at"])
    webhooks.invoice_event(INVOICE_VIEWED, row)
    _event(row, EventKind.VIEWED, lambda: _("The client opened the invoice link."))
    return row


def _email_client(invoice: Invoice, subject: str, body: str) -> None:
    """Send to the client and log it on the timeline (inside the caller's transaction)."""
    EmailMessage(subject=subject, body=body, to=[invoice.client.email]).send()
    _event(invoice, EventKind.EMAILED, subject, email_to=invoice.client.email)


def _invoice_mail_body(invoice: Invoice, opening: str) -> str:
    sender = invoice.freelancer.name
    return "\n\n".join(
        [
            _("Dear %(name)s,") % {"name": invoice.client.name},
            opening,
            _("Invoice %(number)s: %(total)s, due %(due)s. Still to pay: %(left)s.")
            % {
                "number": invoice.number,
                "total": _format(invoice, invoice.total_minor),
                "due": invoice.due_date.isoformat(),
                "left": _format(invoice, invoice.amount_due_minor),
            },
            _("View and download it here: %(url)s") % {"url": invoice_link_url(invoice)},
            invoice.payment_instructions,
            _("Thank you,\n%(name)s") % {"name": sender},
        ]
    )
