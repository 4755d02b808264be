from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from invoicing.services import recurring_run, reminders_run


@db_periodic_task(crontab(minute="15", hour="*/6"))
def issue_recurring_invoices() -> int:
    """Every six hours: issue and send recurring invoices whose date has come; missed runs catch up once."""
    return recurring_run()


@db_periodic_task(crontab(minute="30", hour="*/6"))
def send_invoice_reminders() -> dict:
    """Every six hours: overdue marks, late fees and reminders; each (invoice, kind, period) happens once,
    so running more often than daily sends nothing twice."""
    return reminders_run()
