"""Arithmetic of contract terms: platform fee, late-funding penalty and an hourly week's amount, in integer
minor units with the ledger's one rounding rule (ROUND_HALF_EVEN); and the terms of one milestone as entered.
Pure: services and selectors both use it, and it imports neither."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from ledger.money import ROUNDING
from marketplace.terms import basis_points_of, fund_by_dates, percent  # noqa: F401 (the offer's terms)

if TYPE_CHECKING:
    from contracts.models import Contract, Milestone


@dataclass(frozen=True)
class MilestoneTerms:
    title: str
    amount: Decimal
    due_date: date  # fund by
    deliver_by: date | None = None


def weeks_late(due: date, on: date) -> int:
    """Started weeks after the due date: 1 day late is one week, 8 days late is two."""
    days = (on - due).days
    return 0 if days <= 0 else math.ceil(days / 7)


def late_penalty_minor(*, amount_minor: int, due: date, on: date, bp_per_week: int, cap_bp: int) -> int:
    """Penalty for funding a milestone `on` a date after `due`: bp_per_week for each started week, capped."""
    if not bp_per_week:
        return 0
    penalty = basis_points_of(amount_minor, bp_per_week * weeks_late(due, on))
    return min(penalty, basis_points_of(amount_minor, cap_bp))


def penalty_due_minor(milestone: Milestone, on: date | None = None) -> int:
    """The late-funding penalty owed if the milestone is funded `on` (today by default), by its contract's terms."""
    contract = milestone.contract
    return late_penalty_minor(
        amount_minor=milestone.amount_minor,
        due=milestone.due_date,
        on=on or timezone.localdate(),
        bp_per_week=contract.penalty_bp_per_week,
        cap_bp=contract.penalty_cap_bp,
    )


def week_amount_minor(contract: Contract, minutes: int) -> int:
    """What `minutes` of work come to at the contract's hourly rate, rounded once to a whole minor unit."""
    return int((Decimal(contract.hourly_rate_minor) * minutes / 60).to_integral_value(rounding=ROUNDING))
