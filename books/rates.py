"""PKR values of entries: the realized PKR where the bank told us, else the reference rate of the day.

The rounding rule is ledger.money's, applied once: pkr = round_half_even(amount × rate, to the paisa). The rate
of a day is the latest ExchangeRate (any source) published on or before it, the same rule as
ledger.fx.exchange_rate_on; RateBook loads them once so a 50,000-row import does not ask 50,000 times."""

from bisect import bisect_right
from datetime import date
from decimal import Decimal

from ledger.models import ExchangeRate
from ledger.money import convert, to_minor


class RateBook:
    def __init__(self, currencies, until: date | None = None):
        self._dates: dict[str, list[date]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        currencies = sorted({c for c in currencies if c != "PKR"})
        if not currencies:
            return
        rows = ExchangeRate.objects.filter(base_currency__in=currencies, quote_currency="PKR")
        if until is not None:
            rows = rows.filter(rate_date__lte=until)
        by_day: dict[tuple[str, date], Decimal] = {}
        for currency, day, rate in rows.order_by("rate_date", "created_at").values_list(
            "base_currency", "rate_date", "rate"
        ):
            by_day[(currency, day)] = rate  # the latest created wins, as in exchange_rate_on
        for (currency, day), rate in sorted(by_day.items()):
            self._dates.setdefault(currency, []).append(day)
            self._rates.setdefault(currency, []).append(rate)

    def rate(self, currency: str, on: date) -> Decimal | None:
        if currency == "PKR":
            return Decimal(1)
        dates = self._dates.get(currency)
        if not dates:
            return None
        index = bisect_right(dates, on)
        return self._rates[currency][index - 1] if index else None

    def pkr_minor(self, amount: Decimal, currency: str, on: date) -> tuple[int | None, Decimal | None]:
        """(PKR value in paisa, rate used) at the reference rate of the day; (None, None) without a rate."""
        if currency == "PKR":
            return to_minor(amount, "PKR"), None
        rate = self.rate(currency, on)
        if rate is None:
            return None, None
        return to_minor(convert(amount, rate, "PKR"), "PKR"), rate
