"""The periodic jobs run the reminders and the recurring invoices."""

import pytest

from invoicing import tasks
from invoicing.tests.factories import make_invoice

pytestmark = pytest.mark.django_db


def test_periodic_tasks_run(settings):
    make_invoice()
    assert tasks.send_invoice_reminders.call_local() == {"reminders": 0, "late_fees": 0, "overdue": 0}
    assert tasks.issue_recurring_invoices.call_local() == 0
