"""Reminders and late fees, once per period."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from invoicing import services
from invoicing.models import InvoiceState, ReminderLog
from invoicing.tests.factories import ClientFactory, make_invoice
from invoicing.tests.helpers import balance

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 3, 2)
DUE = ISSUED + timedelta(days=15)


def late_invoice(**kwargs):
    rule = services.LateFeeRule(kind="percent", percent=Decimal("2"), period_days=30, cap=Decimal("25"))
    return make_invoice(issue_date=ISSUED, days=15, late_fee=rule, **kwargs)


def test_reminders_before_on_and_after_due_each_once(mailoutbox):
    invoice = late_invoice()
    mailoutbox.clear()
    for day in (DUE - timedelta(days=3), DUE - timedelta(days=2), DUE, DUE):
        services.reminders_run(today=day)
    assert [m.subject for m in mailoutbox] == [f"Reminder: invoice {invoice.number}"] * 2
    mailoutbox.clear()
    services.reminders_run(today=DUE + timedelta(days=1))  # overdue: late fee period 1, no reminder yet
    services.reminders_run(today=DUE + timedelta(days=1))
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.OVERDUE
    assert invoice.late_fee == Decimal("10.00")  # 2% of 500
    assert invoice.total == Decimal("510.00")
    assert [m.subject for m in mailoutbox] == [f"Late fee added to invoice {invoice.number}"]
    assert "10.00" in mailoutbox[0].body and mailoutbox[0].to == [invoice.client.email]
    mailoutbox.clear()
    for _ in range(2):
        services.reminders_run(today=DUE + timedelta(days=7))
    assert len(mailoutbox) == 1 and "still unpaid" in mailoutbox[0].body
    assert balance(invoice.freelancer, f"receivable:{invoice.client_id}") == Decimal("510.00")
    assert balance(invoice.freelancer, "income:late_fees") == Decimal("10.00")
    emailed = invoice.events.filter(kind="emailed").count()
    assert emailed == 1 + 2 + 1 + 1  # issue, before + due, late fee, overdue reminder
    call_command("ledger_check")


def test_missed_late_fee_periods_are_each_charged_once_up_to_the_cap():
    invoice = late_invoice()
    services.reminders_run(today=DUE + timedelta(days=200))  # 7 periods missed: 7 × 10 capped at 25
    services.reminders_run(today=DUE + timedelta(days=200))
    invoice.refresh_from_db()
    assert invoice.late_fee == Decimal("25.00")
    assert invoice.lines.filter(kind="late_fee").count() == 3  # 10 + 10 + 5
    assert ReminderLog.objects.filter(invoice=invoice, kind="late_fee").count() == 7
    call_command("ledger_check")


def test_reminders_switched_off_per_invoice_and_per_freelancer(mailoutbox):
    quiet = late_invoice(reminders_enabled=False)
    client = ClientFactory()
    services.settings_update(freelancer=client.freelancer, reminders_enabled=False)
    also_quiet = make_invoice(client=client, issue_date=ISSUED, days=15)
    mailoutbox.clear()
    for offset in (-3, 0, 1, 7, 14):
        services.reminders_run(today=DUE + timedelta(days=offset))
    assert mailoutbox == []
    quiet.refresh_from_db()
    also_quiet.refresh_from_db()
    assert quiet.late_fee == Decimal("10.00")  # the agreed fee still applies; the e-mail is what is off
    assert also_quiet.state == InvoiceState.OVERDUE


def test_paid_invoice_gets_no_reminders(mailoutbox):
    invoice = late_invoice()
    services.payment_record(
        invoice=invoice,
        freelancer=invoice.freelancer,
        amount=Decimal(500),
        currency="USD",
        received_on=ISSUED,
        method="bank",
        idempotency_key="p",
    )
    mailoutbox.clear()
    services.reminders_run(today=DUE + timedelta(days=40))
    assert mailoutbox == []
