from datetime import datetime

from django.db import transaction
from django.utils import timezone

from insights import selectors
from insights.models import InsightSnapshot


@transaction.atomic
def insight_snapshot_refresh(*, now: datetime | None = None) -> InsightSnapshot:
    """Compute the anonymized figures and store them as today's snapshot (a rerun the same day replaces it).
    Reads only; moves no money."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    data = selectors.platform_figures(today=today)
    snapshot, _ = InsightSnapshot.objects.update_or_create(period=today, defaults={"computed_at": now, "data": data})
    return snapshot
