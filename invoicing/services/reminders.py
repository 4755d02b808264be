"""The daily reminders job: overdue invoices, reminder e-mails and late fees (receivable +F ·
income:late_fees −F), each at most once a period."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.calculations import (
    late_fee_minor,
    late_fee_period,
)
from invoicing.models import (
    OPEN_STATES,
    DocumentKind,
    EventKind,
    Invoice,
    InvoiceLine,
    InvoiceState,
    LateFeeKind,
    LineKind,
    ReminderKind,
    ReminderLog,
)
from invoicing.services._common import _event, _format, _income, _post, _receivable, _transition
from invoicing.services.client_link import _email_client, _invoice_mail_body
from invoicing.services.clients import settings_get
from ledger import chart
from ledger.money import from_minor
from ledger.services import Leg


def _log_once(invoice: Invoice, kind: str, period: int, today: date) -> bool:
    """Claim (invoice, kind, period); False when an earlier run already did. Called with the invoice row
    locked, so two runs cannot both claim it (and the unique constraint would refuse the second anyway)."""
    if ReminderLog.objects.filter(invoice=invoice, kind=kind, period=period).exists():
        return False
    ReminderLog.objects.create(invoice=invoice, kind=kind, period=period, run_on=today)
    return True


def _charge_late_fee(invoice: Invoice, period: int) -> int:
    base = invoice.total_minor - invoice.late_fee_minor - invoice.paid_minor - invoice.credited_minor
    fee = late_fee_minor(
        kind=invoice.late_fee_kind,
        percent=invoice.late_fee_percent,
        fixed_minor=invoice.late_fee_fixed_minor,
        base_minor=base,
        charged_minor=invoice.late_fee_minor,
        cap_minor=invoice.late_fee_cap_minor,
        currency=invoice.currency,
    )
    if fee <= 0:
        return 0
    value = from_minor(fee, invoice.currency)
    _post(
        [Leg(_receivable(invoice), value), Leg(_income(invoice, "late_fees"), -value)],
        idempotency_key=f"invoice:{invoice.pk}:late-fee:{period}",
        kind=chart.TxnKind.INVOICE_LATE_FEE,
        valued_at=invoice.pkr_rate,
        memo=f"Late fee {period} on {invoice.number}"[:255],
        reference=f"invoice:{invoice.pk}",
    )
    position = (invoice.lines.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    InvoiceLine.objects.create(
        invoice=invoice,
        position=position,
        kind=LineKind.LATE_FEE,
        description=_("Late fee, period %(n)d") % {"n": period},
        quantity=Decimal(1),
        unit_price_minor=fee,
        amount_minor=fee,
    )
    invoice.late_fee_minor += fee
    invoice.total_minor += fee
    return fee


def _remind_invoice(invoice_id: int, today: date) -> dict[str, int]:
    done = {"reminders": 0, "late_fees": 0, "overdue": 0}
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("client", "freelancer").get(pk=invoice_id)
        if invoice.state not in OPEN_STATES or invoice.amount_due_minor <= 0:
            return done
        prefs = settings_get(freelancer=invoice.freelancer)
        if invoice.due_date < today and invoice.state != InvoiceState.OVERDUE:
            _transition(invoice, InvoiceState.OVERDUE)
            invoice.save()
            _event(invoice, EventKind.OVERDUE, lambda: _("Past its due date of %(due)s.") % {"due": invoice.due_date})
            done["overdue"] += 1
        send = prefs.reminders_enabled and invoice.reminders_enabled
        if invoice.late_fee_kind != LateFeeKind.NONE:
            current = late_fee_period(due_date=invoice.due_date, today=today, period_days=invoice.late_fee_period_days)
            for period in range(1, current + 1):
                if not _log_once(invoice, ReminderKind.LATE_FEE, period, today):
                    continue
                fee = _charge_late_fee(invoice, period)
                if not fee:
                    continue
                invoice.save()
                done["late_fees"] += 1
                _event(
                    invoice,
                    EventKind.LATE_FEE,
                    lambda fee=fee: _("Late fee of %(fee)s added.") % {"fee": _format(invoice, fee)},
                )
                if send:
                    _email_client(
                        invoice,
                        _("Late fee added to invoice %(number)s") % {"number": invoice.number},
                        _invoice_mail_body(
                            invoice,
                            _("The invoice is overdue, so a late fee of %(fee)s has been added as agreed.")
                            % {"fee": _format(invoice, fee)},
                        ),
                    )
        if not send:
            return done
        days_to_due = (invoice.due_date - today).days
        every = (
            invoice.remind_every_days_after
            if invoice.remind_every_days_after is not None
            else prefs.remind_every_days_after
        )
        claim = None
        if 0 < days_to_due <= prefs.remind_days_before:
            claim = (ReminderKind.BEFORE_DUE, 0, _("A friendly reminder: this invoice is due on %(due)s."))
        elif days_to_due == 0 and prefs.remind_on_due_date:
            claim = (ReminderKind.ON_DUE, 0, _("A reminder: this invoice is due today, %(due)s."))
        elif days_to_due < 0 and every > 0 and -days_to_due >= every:
            claim = (
                ReminderKind.OVERDUE,
                -days_to_due // every,
                _("This invoice was due on %(due)s and is still unpaid."),
            )
        if claim and _log_once(invoice, claim[0], claim[1], today):
            _email_client(
                invoice,
                _("Reminder: invoice %(number)s") % {"number": invoice.number},
                _invoice_mail_body(invoice, claim[2] % {"due": invoice.due_date.isoformat()}),
            )
            done["reminders"] += 1
    return done


def reminders_run(*, today: date | None = None) -> dict[str, int]:
    """The daily job: mark overdue invoices, add late fees for each period not yet charged, and send the
    reminders that are due. Each (invoice, kind, period) happens once however often the job runs."""
    today = today or timezone.localdate()
    totals = {"reminders": 0, "late_fees": 0, "overdue": 0}
    ids = Invoice.objects.filter(kind=DocumentKind.INVOICE, state__in=OPEN_STATES).values_list("pk", flat=True)
    for invoice_id in list(ids):
        for key, count in _remind_invoice(invoice_id, today).items():
            totals[key] += count
    return totals
