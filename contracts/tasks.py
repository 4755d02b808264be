from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from contracts import services
from contracts.action_keys import action_keys_purge


@db_periodic_task(crontab(minute="*/15"))
def release_due_milestones() -> int:
    """Every 15 minutes: warn 2 days ahead, then release milestones whose review window has passed."""
    services.auto_release_warn()
    return services.auto_release_due()


@db_periodic_task(crontab(minute="30", hour="*"))
def bill_hourly_weeks() -> int:
    """Hourly: bill weeks nobody approved or disputed once their review window (KAMAI_HOURLY_REVIEW_DAYS
    after Sunday) is over."""
    return services.hourly_bill_due()


@db_periodic_task(crontab(minute="10", hour="3"))
def purge_old_action_keys() -> int:
    """Daily: forget user-action idempotency keys older than their retention (30 days, never under 24 hours)."""
    return action_keys_purge()
