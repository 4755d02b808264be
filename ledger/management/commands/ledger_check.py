import sys

from django.core.management.base import BaseCommand

from ledger.checks import ledger_problems
from ledger.models import Account, Posting, Transaction


class Command(BaseCommand):
    help = "Recompute every ledger invariant; exit 1 with a report if any is broken."

    def handle(self, *args, **options):
        problems = ledger_problems()
        counts = (
            f"{Account.objects.count()} accounts, {Transaction.objects.count()} transactions, "
            f"{Posting.objects.count()} postings"
        )
        if problems:
            self.stderr.write(f"Ledger check FAILED ({counts}): {len(problems)} problem(s)")
            for line in problems:
                self.stderr.write(f"  - {line}")
            sys.exit(1)
        self.stdout.write(f"Ledger check OK ({counts}).")
