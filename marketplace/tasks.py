from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from marketplace.services import reviews_reveal_due


@db_periodic_task(crontab(minute="5"))
def reveal_reviews() -> int:
    """Hourly: reveal reviews whose 14-day window has closed without the other side's review."""
    return reviews_reveal_due()
