"""The arithmetic an offer is made of and a contract keeps: basis points of an amount, percentages, and the
fund-by dates of milestones. It lives with the offer because contracts take an accepted offer (the one-way
hand-off); contracts/terms.py builds late penalties and hourly amounts on it."""

from datetime import date, timedelta
from decimal import Decimal

from ledger.money import ROUNDING


def basis_points_of(minor: int, basis_points: int) -> int:
    """minor × bp / 10,000, rounded once to a whole minor unit."""
    return int((Decimal(minor) * basis_points / 10000).to_integral_value(rounding=ROUNDING))


def fund_by_dates(deliver_by: list[date], *, start: date, first_within_days: int = 7) -> list[date]:
    """Fund-by dates for milestones with these delivery dates, for a contract starting on `start`: the first
    within a week of the start, each later one by the delivery date of the one before (so work on it can
    begin when the previous is handed over); never after the milestone's own delivery date."""
    first = start + timedelta(days=first_within_days)
    dates = []
    for n, deliver in enumerate(deliver_by):
        wanted = first if n == 0 else max(first, deliver_by[n - 1])
        dates.append(min(wanted, deliver))
    return dates


def percent(basis_points: int) -> Decimal:
    """Basis points as an exact percentage: 500 -> Decimal("5"), 125 -> Decimal("1.25")."""
    return (Decimal(basis_points) / 100).normalize()
