"""Exchange rates: looking them up and importing them from CSV. Conversions themselves are posted by
ledger.services.convert_currency."""

import csv
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from ledger.errors import ExchangeRateError
from ledger.models import ExchangeRate, RateSource
from ledger.money import MINOR_UNITS, MoneyError, parse_rate


def exchange_rate_on(*, base: str, quote: str = "PKR", on: date, source: str | None = None) -> ExchangeRate:
    """The latest rate for base→quote published on or before `on` (from one source, if given)."""
    rates = ExchangeRate.objects.filter(base_currency=base, quote_currency=quote, rate_date__lte=on)
    if source:
        rates = rates.filter(source=source)
    rate = rates.order_by("-rate_date", "-created_at").first()
    if rate is None:
        raise ExchangeRateError(
            _("No %(base)s/%(quote)s rate on or before %(day)s.")
            % {"base": base, "quote": quote, "day": on.isoformat()}
        )
    return rate


def import_rates_csv(*, lines: Iterable[str], source: str, quote: str = "PKR") -> tuple[int, int]:
    """Import rows of `date,currency,rate` (1 currency = rate quote) all or nothing: every row is validated
    first and all errors are reported together with their line numbers. Returns (created, updated)."""
    if source not in RateSource.values:
        raise ExchangeRateError(
            _("Unknown rate source %(source)r; use one of %(known)s.")
            % {"source": source, "known": ", ".join(RateSource.values)}
        )
    rows, errors, seen = [], [], set()
    for number, row in enumerate(csv.reader(lines), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if number == 1 and row[0].strip().lower() == "date":
            continue
        if len(row) != 3:
            errors.append(f"line {number}: expected date,currency,rate, got {len(row)} column(s)")
            continue
        raw_date, currency, raw_rate = (cell.strip() for cell in row)
        currency = currency.upper()
        try:
            rate_date = date.fromisoformat(raw_date)
        except ValueError:
            errors.append(f"line {number}: {raw_date!r} is not a date (YYYY-MM-DD)")
            continue
        if currency not in MINOR_UNITS:
            errors.append(f"line {number}: unknown currency {currency!r}")
            continue
        if currency == quote:
            errors.append(f"line {number}: {currency} against itself")
            continue
        try:
            rate = parse_rate(raw_rate)
        except MoneyError as error:
            errors.append(f"line {number}: {error}")
            continue
        if (rate_date, currency) in seen:
            errors.append(f"line {number}: {currency} on {rate_date} appears twice")
            continue
        seen.add((rate_date, currency))
        rows.append((rate_date, currency, rate))
    if errors:
        raise ExchangeRateError("Rates not imported:\n" + "\n".join(errors))
    created = updated = 0
    with transaction.atomic():
        for rate_date, currency, rate in rows:
            _rate, was_created = ExchangeRate.objects.update_or_create(
                base_currency=currency,
                quote_currency=quote,
                rate_date=rate_date,
                source=source,
                defaults={"rate": rate},
            )
            created += was_created
            updated += not was_created
    return created, updated
