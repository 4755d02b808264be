"""Draft invoices: their lines, taxes and totals, and whether reminders are sent (no money moves)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.calculations import (
    LineInput,
    TaxInput,
    compute_totals,
)
from invoicing.errors import InvoicingError
from invoicing.models import (
    Client,
    EventKind,
    Invoice,
    InvoiceLine,
    InvoiceState,
    InvoiceTax,
    LateFeeKind,
    LineKind,
    PaymentMethod,
)
from invoicing.services._common import _check_owner, _event, _locked, _minor
from ledger.money import MoneyError, check_currency, to_minor

MAX_LINES = 50


@dataclass(frozen=True)
class LateFeeRule:
    kind: str = LateFeeKind.NONE
    percent: Decimal = Decimal(0)
    fixed: Decimal = Decimal(0)
    period_days: int = 30
    cap: Decimal | None = None


def _write_lines(invoice: Invoice, lines: list[LineInput], taxes: list[TaxInput]) -> None:
    """Replace the item lines and taxes and recompute every total (late-fee lines are kept)."""
    if not lines:
        raise InvoicingError(_("Add at least one line."))
    if len(lines) > MAX_LINES:
        raise InvoicingError(_("An invoice has at most %(n)d lines.") % {"n": MAX_LINES})
    for line in lines:
        if not line.description.strip():
            raise InvoicingError(_("Every line needs a description."))
        if line.quantity <= 0:
            raise InvoicingError(
                _("The quantity of “%(line)s” must be more than zero.") % {"line": line.description.strip()}
            )
        _minor(line.unit_price, invoice.currency, _("The unit price"), allow_zero=True)
    for tax in taxes:
        if not tax.name.strip():
            raise InvoicingError(_("Every tax needs a name."))
        if tax.rate_percent < 0 or tax.rate_percent > 100:
            raise InvoicingError(_("A tax rate is between 0 and 100%."))
    if invoice.discount_percent < 0 or invoice.discount_percent > 100:
        raise InvoicingError(_("A discount is between 0 and 100%."))
    totals = compute_totals(
        lines=lines,
        taxes=taxes,
        currency=invoice.currency,
        discount_percent=invoice.discount_percent,
        discount_fixed_minor=invoice.discount_fixed_minor,
    )
    if totals.discount_minor > totals.subtotal_minor:
        raise InvoicingError(_("The discount is more than the lines add up to."))
    invoice.lines.filter(kind=LineKind.ITEM).delete()
    invoice.taxes.all().delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=i,
            description=line.description.strip()[:300],
            quantity=line.quantity,
            unit_price_minor=to_minor(line.unit_price, invoice.currency),
            amount_minor=amount,
        )
        for i, (line, amount) in enumerate(zip(lines, totals.line_amounts_minor, strict=True), start=1)
    )
    InvoiceTax.objects.bulk_create(
        InvoiceTax(
            invoice=invoice, position=i, name=tax.name.strip()[:60], rate_percent=tax.rate_percent, amount_minor=a
        )
        for i, (tax, a) in enumerate(zip(taxes, totals.tax_amounts_minor, strict=True), start=1)
    )
    invoice.subtotal_minor = totals.subtotal_minor
    invoice.discount_minor = totals.discount_minor
    invoice.tax_minor = totals.tax_minor
    invoice.total_minor = totals.total_minor + invoice.late_fee_minor


@transaction.atomic
def invoice_save_draft(
    *,
    freelancer,
    client: Client,
    currency: str,
    issue_date: date,
    due_date: date,
    lines: list[LineInput],
    taxes: list[TaxInput] = (),
    terms_days: int | None = None,
    discount_percent: Decimal = Decimal(0),
    discount_fixed: Decimal = Decimal(0),
    notes: str = "",
    payment_method: PaymentMethod | None = None,
    urdu_labels: bool = False,
    reminders_enabled: bool = True,
    remind_every_days_after: int | None = None,
    late_fee: LateFeeRule | None = None,
    invoice: Invoice | None = None,
    idempotency_key: str | None = None,
) -> Invoice:
    """Create a draft (no number, no money moved) or rewrite one. Only drafts can be edited."""
    if idempotency_key and invoice is None:
        existing = Invoice.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            _check_owner(existing, freelancer)
            return existing
    if invoice is not None:
        invoice = _locked(invoice, freelancer)
        if invoice.state != InvoiceState.DRAFT:
            raise InvoicingError(_("A sent invoice cannot be edited; issue a credit note to correct it."))
    _check_owner(client, freelancer)
    if payment_method is not None:
        _check_owner(payment_method, freelancer)
    try:
        check_currency(currency)
    except MoneyError as error:
        raise InvoicingError(str(error)) from None
    if due_date < issue_date:
        raise InvoicingError(_("The due date cannot be before the issue date."))
    if discount_fixed and discount_percent:
        raise InvoicingError(_("Give a discount as a percentage or as an amount, not both."))
    late_fee = late_fee or LateFeeRule()
    invoice = invoice or Invoice(freelancer=freelancer, idempotency_key=idempotency_key or None)
    invoice.client = client
    invoice.currency = currency
    invoice.issue_date = issue_date
    invoice.due_date = due_date
    invoice.terms_days = terms_days if terms_days is not None else (due_date - issue_date).days
    invoice.discount_percent = discount_percent or Decimal(0)
    invoice.discount_fixed_minor = _minor(discount_fixed or Decimal(0), currency, _("The discount"), allow_zero=True)
    invoice.notes = notes.strip()
    invoice.payment_method = payment_method
    invoice.urdu_labels = urdu_labels
    invoice.reminders_enabled = reminders_enabled
    invoice.remind_every_days_after = remind_every_days_after
    if late_fee.kind not in LateFeeKind.values:
        raise InvoicingError(_("Unknown late-fee rule."))
    if late_fee.percent < 0 or late_fee.period_days < 1:
        raise InvoicingError(_("A late fee needs a positive percentage or amount and a period of at least a day."))
    invoice.late_fee_kind = late_fee.kind
    invoice.late_fee_percent = late_fee.percent
    invoice.late_fee_fixed_minor = _minor(late_fee.fixed, currency, _("The late fee"), allow_zero=True)
    invoice.late_fee_period_days = late_fee.period_days
    invoice.late_fee_cap_minor = (
        None if late_fee.cap is None else _minor(late_fee.cap, currency, _("The late-fee cap"), allow_zero=True)
    )
    created = invoice.pk is None
    invoice.save()
    _write_lines(invoice, list(lines), list(taxes))
    invoice.save()
    if created:
        _event(invoice, EventKind.CREATED, lambda: _("Draft created."))
    return invoice


@transaction.atomic
def invoice_set_reminders(*, invoice: Invoice, freelancer, enabled: bool) -> Invoice:
    """Switch this invoice's reminders and late-fee e-mails on or off (no money changes)."""
    invoice = _locked(invoice, freelancer)
    invoice.reminders_enabled = enabled
    invoice.save(update_fields=["reminders_enabled", "updated_at"])
    return invoice
