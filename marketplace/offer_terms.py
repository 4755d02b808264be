"""What an offer means in money, for the client who sends it and the freelancer who accepts it: each
milestone's amount and delivery date, the total, Kamai's fee and what the freelancer receives. The fee and
penalty rates are the ones a contract made from the offer will carry."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ledger.money import from_minor
from marketplace.terms import basis_points_of, fund_by_dates, percent


@dataclass(frozen=True)
class OfferLine:
    title: str
    amount: Decimal
    deliver_by: date | None
    fund_by: date | None = None  # if the contract started today


@dataclass(frozen=True)
class OfferTerms:
    budget_type: str
    currency: str
    lines: list[OfferLine]
    total: Decimal  # fixed: the sum of the milestones; hourly: the rate
    fee: Decimal
    freelancer_receives: Decimal
    fee_pct: Decimal
    penalty_pct: Decimal
    penalty_cap_pct: Decimal

    @property
    def hourly(self) -> bool:
        return self.budget_type == "hourly"


def offer_terms(*, budget_type: str, currency: str, amount_minor: int, milestones: list[dict], title: str = ""):
    """milestones: dicts with title, amount_minor and due_date (a date or an ISO string), as frozen on an offer."""
    fee_bp = settings.KAMAI_PLATFORM_FEE_BP
    deliver = [
        date.fromisoformat(m["due_date"]) if isinstance(m["due_date"], str) else m["due_date"] for m in milestones
    ]
    fund_by = fund_by_dates(deliver, start=timezone.localdate())
    lines = [
        OfferLine(m["title"], from_minor(m["amount_minor"], currency), d, f)
        for m, d, f in zip(milestones, deliver, fund_by, strict=True)
    ]
    if budget_type == "hourly":
        total_minor = amount_minor
    elif lines:
        total_minor = sum(m["amount_minor"] for m in milestones)
    else:
        total_minor = amount_minor
        lines = [OfferLine(title, from_minor(amount_minor, currency), None)]
    # The fee is taken per release; summing per milestone matches what the ledger will take.
    fee_minor = (
        basis_points_of(total_minor, fee_bp)
        if budget_type == "hourly" or not milestones
        else sum(basis_points_of(m["amount_minor"], fee_bp) for m in milestones)
    )
    return OfferTerms(
        budget_type=budget_type,
        currency=currency,
        lines=lines,
        total=from_minor(total_minor, currency),
        fee=from_minor(fee_minor, currency),
        freelancer_receives=from_minor(total_minor - fee_minor, currency),
        fee_pct=percent(fee_bp),
        penalty_pct=percent(settings.KAMAI_DEFAULT_PENALTY_BP_PER_WEEK),
        penalty_cap_pct=percent(settings.KAMAI_DEFAULT_PENALTY_CAP_BP),
    )


def terms_of_offer(offer) -> OfferTerms:
    return offer_terms(
        budget_type=offer.budget_type,
        currency=offer.currency,
        amount_minor=offer.amount_minor,
        milestones=offer.milestones,
        title=offer.job.title,
    )


def terms_of_proposal(proposal) -> OfferTerms:
    """The offer that hiring on this proposal would send (marketplace.services.proposal_hire freezes the same)."""
    return offer_terms(
        budget_type=proposal.job.budget_type,
        currency=proposal.currency,
        amount_minor=proposal.bid_minor,
        milestones=[
            {"title": m.title, "amount_minor": m.amount_minor, "due_date": m.due_date}
            for m in proposal.milestones.all()
        ],
        title=proposal.job.title,
    )
