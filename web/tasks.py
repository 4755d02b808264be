"""Jobs run by the Huey worker: e-mail delivery and housekeeping."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from web.models import Heartbeat


@db_task(retries=3, retry_delay=60)
def deliver_email(message) -> int:
    """Hand one message to the real delivery backend (SMTP in production, console in development)."""
    return get_connection(settings.KAMAI_EMAIL_DELIVERY_BACKEND).send_messages([message])


def record_heartbeat(name: str) -> None:
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(last_run_at=now, runs=F("runs") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"last_run_at": now, "runs": 1})


@db_periodic_task(crontab(minute="*"))
def scheduler_heartbeat() -> None:
    """Every minute: proves the scheduler is alive (shown on /healthz)."""
    record_heartbeat("scheduler")


@db_periodic_task(crontab(minute="17"))
def purge_expired_sessions() -> int:
    """Hourly: delete expired sessions so the table does not grow forever."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    record_heartbeat("purge_expired_sessions")
    return deleted
