"""Recurring invoices: templates and the daily job that issues each occurrence once, catching up missed ones."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.calculations import (
    LineInput,
    TaxInput,
    line_amount_minor,
)
from invoicing.errors import InvoicingError
from invoicing.models import (
    Client,
    Invoice,
    PaymentMethod,
    RecurringFrequency,
    RecurringTemplate,
)
from invoicing.services._common import _check_owner, _minor
from invoicing.services.clients import settings_get
from invoicing.services.drafts import invoice_save_draft
from invoicing.services.issue import invoice_issue
from ledger.money import MoneyError, check_currency

MONTHS_PER = {RecurringFrequency.MONTHLY: 1, RecurringFrequency.QUARTERLY: 3, RecurringFrequency.YEARLY: 12}


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def recurring_occurrence(template: RecurringTemplate, n: int) -> date:
    """The date of the n-th invoice (0-based), anchored on the start date so short months do not drift."""
    if template.frequency == RecurringFrequency.WEEKLY:
        return template.start_date + timedelta(weeks=n)
    return _add_months(template.start_date, MONTHS_PER[template.frequency] * n)


def _template_finished(template: RecurringTemplate, next_date: date) -> bool:
    if template.max_count is not None and template.issued_count >= template.max_count:
        return True
    return template.end_date is not None and next_date > template.end_date


def _template_inputs(template: RecurringTemplate) -> tuple[list[LineInput], list[TaxInput]]:
    lines = [LineInput(ln["description"], Decimal(ln["quantity"]), Decimal(ln["unit_price"])) for ln in template.lines]
    taxes = [TaxInput(t["name"], Decimal(t["rate"])) for t in template.taxes]
    return lines, taxes


@transaction.atomic
def recurring_save(
    *,
    freelancer,
    client: Client,
    title: str,
    currency: str,
    frequency: str,
    start_date: date,
    lines: list[LineInput],
    taxes: list[TaxInput] = (),
    end_date: date | None = None,
    max_count: int | None = None,
    terms_days: int = 15,
    notes: str = "",
    payment_method: PaymentMethod | None = None,
) -> RecurringTemplate:
    _check_owner(client, freelancer)
    if payment_method is not None:
        _check_owner(payment_method, freelancer)
    if frequency not in RecurringFrequency.values:
        raise InvoicingError(_("Choose how often the invoice repeats."))
    if end_date is not None and end_date < start_date:
        raise InvoicingError(_("The end date cannot be before the start date."))
    if max_count is not None and max_count < 1:
        raise InvoicingError(_("The number of invoices must be at least one."))
    try:
        check_currency(currency)
    except MoneyError as error:
        raise InvoicingError(str(error)) from None
    if not lines:
        raise InvoicingError(_("Add at least one line."))
    for line in lines:
        if line.quantity <= 0:
            raise InvoicingError(_("The quantity of “%(line)s” must be more than zero.") % {"line": line.description})
        _minor(line.unit_price, currency, _("The unit price"), allow_zero=True)
    if sum(line_amount_minor(ln.quantity, ln.unit_price, currency) for ln in lines) <= 0:
        raise InvoicingError(_("An invoice must add up to more than zero."))
    return RecurringTemplate.objects.create(
        freelancer=freelancer,
        client=client,
        title=title.strip() or client.name,
        currency=currency,
        frequency=frequency,
        start_date=start_date,
        end_date=end_date,
        max_count=max_count,
        terms_days=terms_days,
        lines=[
            {"description": ln.description.strip(), "quantity": str(ln.quantity), "unit_price": str(ln.unit_price)}
            for ln in lines
        ],
        taxes=[{"name": t.name.strip(), "rate": str(t.rate_percent)} for t in taxes],
        notes=notes.strip(),
        payment_method=payment_method,
        next_run_date=start_date,
    )


@transaction.atomic
def recurring_stop(*, template: RecurringTemplate, freelancer) -> RecurringTemplate:
    template = RecurringTemplate.objects.select_for_update().get(pk=template.pk)
    _check_owner(template, freelancer)
    template.active = False
    template.save(update_fields=["active"])
    return template


def _recurring_catch_up(template_id: int, today: date) -> int:
    issued = 0
    with transaction.atomic():
        template = (
            RecurringTemplate.objects.select_for_update().select_related("client", "freelancer").get(pk=template_id)
        )
        while template.active and template.next_run_date and template.next_run_date <= today:
            run_date = template.next_run_date
            if _template_finished(template, run_date):
                template.active = False
                break
            if not Invoice.objects.filter(recurring_template=template, recurring_run_date=run_date).exists():
                lines, taxes = _template_inputs(template)
                draft = invoice_save_draft(
                    freelancer=template.freelancer,
                    client=template.client,
                    currency=template.currency,
                    issue_date=today,
                    due_date=today + timedelta(days=template.terms_days),
                    terms_days=template.terms_days,
                    lines=lines,
                    taxes=taxes,
                    notes=(template.notes + "\n" if template.notes else "")
                    + _("For the period starting %(date)s.") % {"date": run_date.isoformat()},
                    payment_method=template.payment_method,
                )
                draft.recurring_template = template
                draft.recurring_run_date = run_date
                draft.save(update_fields=["recurring_template", "recurring_run_date"])
                invoice_issue(invoice=draft, freelancer=template.freelancer)
                issued += 1
            template.issued_count += 1
            template.next_run_date = recurring_occurrence(template, template.issued_count)
            if _template_finished(template, template.next_run_date):
                template.active = False
        template.save()
    return issued


def recurring_run(*, today: date | None = None) -> int:
    """The daily job: issue and send every recurring invoice whose date has come, catching up each missed
    run exactly once (a run is one (template, date) pair, unique in the database)."""
    today = today or timezone.localdate()
    due = RecurringTemplate.objects.filter(active=True, next_run_date__lte=today).values_list("pk", flat=True)
    issued = 0
    for template_id in list(due):
        settings_get(freelancer=RecurringTemplate.objects.get(pk=template_id).freelancer)
        issued += _recurring_catch_up(template_id, today)
    return issued
