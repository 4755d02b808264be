from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from insights import services


# Huey runs in UTC (settings.HUEY["utc"]): 21:30 UTC is 02:30 in Pakistan, after the day's work is done.
@db_periodic_task(crontab(minute="30", hour="21"))
def refresh_insights() -> int:
    """Nightly at 02:30 Pakistan time: recompute the public insights snapshot so the page itself never aggregates."""
    return services.insight_snapshot_refresh().pk
