"""Recurring invoices that catch up on missed runs, each once."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from invoicing import services
from invoicing.calculations import LineInput
from invoicing.models import Invoice, InvoiceState
from invoicing.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_recurring_catches_up_each_missed_run_exactly_once(mailoutbox):
    client = ClientFactory()
    template = services.recurring_save(
        freelancer=client.freelancer,
        client=client,
        title="Retainer",
        currency="USD",
        frequency="monthly",
        start_date=date(2026, 1, 31),
        max_count=5,
        lines=[LineInput("Monthly retainer", Decimal(1), Decimal("800"))],
    )
    assert services.recurring_run(today=date(2026, 1, 30)) == 0
    assert services.recurring_run(today=date(2026, 4, 10)) == 3  # Jan 31, Feb 28, Mar 31
    assert services.recurring_run(today=date(2026, 4, 10)) == 0
    runs = list(Invoice.objects.filter(recurring_template=template).order_by("recurring_run_date"))
    assert [i.recurring_run_date for i in runs] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert all(i.state == InvoiceState.SENT and i.total == Decimal("800.00") for i in runs)
    assert [i.number[-4:] for i in runs] == ["0001", "0002", "0003"]
    assert services.recurring_run(today=date(2027, 1, 1)) == 2  # the count stops it at five
    template.refresh_from_db()
    assert template.issued_count == 5 and not template.active
    assert len([m for m in mailoutbox if "Invoice" in m.subject]) == 5
    call_command("ledger_check")


def test_weekly_recurring_respects_end_date():
    client = ClientFactory()
    services.recurring_save(
        freelancer=client.freelancer,
        client=client,
        title="Weekly",
        currency="PKR",
        frequency="weekly",
        start_date=date(2026, 5, 1),
        end_date=date(2026, 5, 20),
        lines=[LineInput("Support", Decimal("10"), Decimal("1500"))],
    )
    assert services.recurring_run(today=date(2026, 6, 30)) == 3  # May 1, 8, 15
