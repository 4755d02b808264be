"""Payments on an invoice: cash:<place>:<CUR> +X · receivable −X, then, with a realized PKR, a conversion
to cash:bank:PKR; the invoice becomes part-paid or paid."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.action_keys import claim_action_key
from invoicing.errors import InvoicingError
from invoicing.models import (
    OPEN_STATES,
    EventKind,
    Invoice,
    InvoiceState,
    MethodKind,
    Payment,
)
from invoicing.services._common import (
    _cash,
    _check_owner,
    _event,
    _format,
    _frozen_rate,
    _locked,
    _minor,
    _post,
    _receivable,
    _transition,
)
from ledger import chart
from ledger.errors import LedgerError
from ledger.money import from_minor, quantize_rate
from ledger.services import Leg, convert_currency
from webhooks import services as webhooks
from webhooks.events import INVOICE_PAID


def _settle_state(invoice: Invoice, today: date) -> None:
    """The state that follows from the amounts after a payment or credit."""
    if invoice.amount_due_minor == 0:
        if invoice.paid_minor > 0:
            _transition(invoice, InvoiceState.PAID)
            invoice.paid_at = invoice.paid_at or timezone.now()
        else:
            _transition(invoice, InvoiceState.VOID)
            invoice.voided_at = timezone.now()
    elif invoice.paid_minor > 0 and invoice.state in (InvoiceState.SENT, InvoiceState.VIEWED):
        _transition(invoice, InvoiceState.OVERDUE if invoice.due_date < today else InvoiceState.PARTIALLY_PAID)


def _claim(key: str, user, action: str, invoice_id: int | None, request: dict) -> bool:
    # The key with this request's fingerprint: a different request under a used key is refused.
    return claim_action_key(key, user=user, action=action, object_id=invoice_id, params=request, error=InvoicingError)


def payment_record(
    *,
    invoice: Invoice,
    freelancer,
    amount: Decimal,
    currency: str,
    received_on: date,
    method: str,
    idempotency_key: str,
    reference: str = "",
    realized_pkr: Decimal | None = None,
) -> Payment:
    """Record money received on an issued invoice, full or partial, in the invoice's currency:
    cash:<method>:<CUR> +X · receivable −X. With a realized PKR (what the bank credited), the received
    amount is also converted into cash:bank:PKR at that value against the reference rate, if one exists.
    More than is still due is refused. The same idempotency key records the payment once."""
    if not idempotency_key:
        raise InvoicingError(_("The form expired; please submit it again."))
    request = {"amount": amount, "currency": currency, "on": received_on, "method": method, "pkr": realized_pkr}
    existing = Payment.objects.filter(idempotency_key=idempotency_key).select_related("invoice").first()
    if existing is not None:
        _check_owner(existing.invoice, freelancer)
        _claim(idempotency_key, freelancer, "payment_record", existing.invoice_id, request)
        return existing
    with transaction.atomic():
        invoice = _locked(invoice, freelancer)
        if not _claim(idempotency_key, freelancer, "payment_record", invoice.pk, request):
            return Payment.objects.get(idempotency_key=idempotency_key)
        if invoice.is_credit_note:
            raise InvoicingError(_("Payments are recorded on invoices, not credit notes."))
        if invoice.state not in OPEN_STATES:
            raise InvoicingError(
                _("A %(state)s invoice takes no payments.") % {"state": invoice.get_state_display().lower()}
            )
        if currency != invoice.currency:
            raise InvoicingError(
                _(
                    "This invoice is in %(currency)s; record the payment in %(currency)s (enter what the bank "
                    "credited in rupees as the realized PKR)."
                )
                % {"currency": invoice.currency}
            )
        if method not in MethodKind.values:
            raise InvoicingError(_("Choose how the payment arrived."))
        minor = _minor(amount, currency, _("The payment"))
        if minor > invoice.amount_due_minor:
            raise InvoicingError(
                _("A payment of %(amount)s is more than the %(due)s still due on %(number)s.")
                % {
                    "amount": _format(invoice, minor),
                    "due": _format(invoice, invoice.amount_due_minor),
                    "number": invoice.number,
                }
            )
        if received_on < invoice.issue_date:
            raise InvoicingError(_("A payment cannot arrive before the invoice was issued."))
        if received_on > timezone.localdate():
            raise InvoicingError(_("A payment date cannot be in the future."))
        realized_minor = None
        if realized_pkr is not None:
            if invoice.currency == "PKR":
                raise InvoicingError(_("A realized PKR amount is only for invoices in another currency."))
            realized_minor = _minor(realized_pkr, "PKR", _("The realized PKR"))
        cash = _cash(freelancer, method, currency)
        posted = _post(
            [Leg(cash, from_minor(minor, currency)), Leg(_receivable(invoice), -from_minor(minor, currency))],
            idempotency_key=f"invoice-payment:{idempotency_key}",
            kind=chart.TxnKind.INVOICE_PAYMENT,
            memo=f"Payment on {invoice.number}"[:255],
            reference=f"invoice:{invoice.pk}",
        )
        conversion = None
        if realized_minor is not None:
            try:
                # Measured against the rate frozen at issue: the difference is the exchange gain or loss.
                frozen = invoice.pkr_rate or _frozen_rate(currency, received_on)
                if frozen is not None:
                    rate_kwargs = {"exchange_rate": frozen}
                else:
                    rate_kwargs = {"rate": quantize_rate(Decimal(realized_minor) / Decimal(minor))}
                conversion = convert_currency(
                    source=cash,
                    target=_cash(freelancer, "bank", "PKR"),
                    amount=from_minor(minor, currency),
                    realized_amount=from_minor(realized_minor, "PKR"),
                    idempotency_key=f"invoice-payment:{idempotency_key}:pkr",
                    memo=f"Payment on {invoice.number} credited in PKR"[:255],
                    reference=f"invoice:{invoice.pk}",
                    **rate_kwargs,
                )
            except LedgerError as error:
                raise InvoicingError(str(error)) from None
        payment = Payment.objects.create(
            invoice=invoice,
            received_on=received_on,
            amount_minor=minor,
            currency=currency,
            method=method,
            reference=reference.strip()[:120],
            realized_pkr_minor=realized_minor,
            idempotency_key=idempotency_key,
            transaction=posted,
            conversion=conversion,
        )
        invoice.paid_minor += minor
        _settle_state(invoice, timezone.localdate())
        invoice.save()
        _event(
            invoice,
            EventKind.PAYMENT,
            lambda: (
                _("Payment of %(amount)s received on %(date)s.")
                % {"amount": _format(invoice, minor), "date": received_on.isoformat()}
            ),
        )
        if invoice.state == InvoiceState.PAID:
            _event(invoice, EventKind.PAID, lambda: _("Paid in full."))
            webhooks.invoice_event(INVOICE_PAID, invoice)
        return payment
