from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tax.services import pseb_reminders_send


@db_periodic_task(crontab(minute="15", hour="4"))
def pseb_expiry_reminders() -> int:
    """Daily: PSEB expiry reminders 30 and 7 days ahead (idempotent, so a re-run sends nothing twice)."""
    return pseb_reminders_send(today=timezone.localdate())
