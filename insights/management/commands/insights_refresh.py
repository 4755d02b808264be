from django.core.management.base import BaseCommand

from insights.services import insight_snapshot_refresh


class Command(BaseCommand):
    help = "Recompute today's anonymized insights snapshot (the nightly job does the same at 02:30)."

    def handle(self, *args, **options):
        snapshot = insight_snapshot_refresh()
        self.stdout.write(f"Insights snapshot for {snapshot.period.isoformat()} computed at {snapshot.computed_at}.")
