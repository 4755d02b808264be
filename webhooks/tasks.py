"""Webhook jobs: each delivery is sent by the worker, retried with back-off until it succeeds or gives up."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from webhooks import sending
from webhooks.models import Delivery, DeliveryState


@db_task()
def deliver(delivery_id: int) -> None:
    """Send one attempt; on failure schedule the next after its back-off (KAMAI_WEBHOOK_BACKOFF_SECONDS)."""
    delay = sending.attempt(delivery_id)
    if delay is not None:
        deliver.schedule(args=(delivery_id,), delay=delay)


def enqueue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> int:
    """Every minute: a safety net for attempts whose scheduled job was lost (a restarted worker, a crash
    mid-send): queue every pending delivery that is due."""
    due = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )[:500]
    )
    enqueue(due)
    return len(due)
