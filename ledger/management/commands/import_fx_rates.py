import sys

from django.core.management.base import BaseCommand, CommandError

from ledger.errors import ExchangeRateError
from ledger.fx import import_rates_csv
from ledger.models import RateSource


class Command(BaseCommand):
    help = "Import exchange rates from a CSV of date,currency,rate (1 currency = rate PKR). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file, or - for standard input")
        parser.add_argument("--source", default=RateSource.SBP, choices=RateSource.values)
        parser.add_argument("--quote", default="PKR")

    def handle(self, *args, path, source, quote, **options):
        try:
            if path == "-":
                created, updated = import_rates_csv(lines=sys.stdin, source=source, quote=quote)
            else:
                with open(path, newline="", encoding="utf-8") as handle:
                    created, updated = import_rates_csv(lines=handle, source=source, quote=quote)
        except (ExchangeRateError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Imported {created} new and {updated} updated {source} rate(s).")
