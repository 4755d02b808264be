"""Contract reads: the contract room, lists needing action, staff queues."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from contracts.forms import DisputeForm, FundForm, NoteForm, RetainerForm, TimeForm, WeekApproveForm, WeekTimeForm
from contracts.models import (
    Contract,
    ContractKind,
    ContractState,
    Dispute,
    DisputeState,
    HourlyWeek,
    Milestone,
    MilestoneState,
    PayIn,
    PayInState,
    WeekState,
    hourly_review_days,
)
from contracts.terms import basis_points_of, penalty_due_minor, week_amount_minor
from ledger import chart
from ledger.models import Account, Posting, sum_minor
from ledger.money import format_minor, from_minor
from messaging.models import Conversation


def milestones_with_contract() -> QuerySet[Milestone]:
    return Milestone.objects.select_related("contract")


def contracts_for(user) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(Q(client=user) | Q(freelancer=user) | Q(client_email__iexact=user.email, client=None))
        .select_related("client__client_profile", "freelancer__freelancer_profile")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class EscrowFigures:
    """Where a contract's escrow money went, in minor units, read from the escrow account's postings."""

    in_escrow_minor: int = 0
    released_minor: int = 0  # out to the freelancer's side (wallet and platform fee), dispute shares included
    refunded_minor: int = 0  # back to the client's funds, dispute shares included
    frozen_minor: int = 0  # the part of in_escrow that open disputes hold


def escrow_figures(contract: Contract) -> EscrowFigures:
    """The contract's money from the ledger, not from milestone states: every transaction that touches the
    escrow account, split by where its escrow side went. What the client's funds account gained in the
    same transaction was refunded; the rest of what left escrow was released to the freelancer (before
    the platform fee). A reversal counts back the other way."""
    if not contract.pk or contract.client_id is None:
        return EscrowFigures()
    escrow = Account.objects.filter(code=chart.contract_escrow(contract.pk, contract.currency).code).first()
    if escrow is None:  # nothing was ever funded; a page view creates no account
        return EscrowFigures()
    # Signed debit-positive: +A on escrow (a liability) is A leaving it; -A on the client's funds is A gained.
    escrow_postings = Posting.objects.filter(account=escrow)
    left_escrow = _totals_by_transaction(escrow_postings)
    client_side = _totals_by_transaction(
        Posting.objects.filter(transaction_id__in=list(left_escrow), account__owner_id=contract.client_id)
    )
    reversals = set(
        escrow_postings.filter(transaction__reverses__isnull=False).values_list("transaction_id", flat=True)
    )
    released = refunded = 0
    for transaction_id, out in left_escrow.items():
        client_gained = -client_side.get(transaction_id, 0)
        released += out - client_gained
        # The client's funds lose money to escrow when funding it, which is no refund; a reversal of a
        # refund is the one case where the client gives a refund back.
        if client_gained > 0 or transaction_id in reversals:
            refunded += client_gained
    frozen = contract.disputes.filter(state=DisputeState.OPEN).aggregate(total=sum_minor("amount_minor"))["total"]
    return EscrowFigures(
        in_escrow_minor=-sum(left_escrow.values()),
        released_minor=released,
        refunded_minor=refunded,
        frozen_minor=frozen,
    )


def _totals_by_transaction(postings: QuerySet[Posting]) -> dict[int, int]:
    rows = postings.order_by().values("transaction_id").annotate(total=sum_minor("amount_minor"))
    return {row["transaction_id"]: row["total"] for row in rows}


def dispute_outcome(dispute: Dispute, currency: str) -> str:
    """The mediator's decision in one line, e.g. "Split by the mediator: $350.00 to the freelancer, $150.00
    refunded to the client". Empty while the dispute is open. A disputed week was never billed, so the
    client's share of it stays in the retainer rather than being refunded."""
    if dispute.state != DisputeState.DECIDED:
        return ""
    language = get_language() or "en"
    amounts = {
        "freelancer": format_minor(dispute.to_freelancer_minor, currency, language),
        "client": format_minor(dispute.to_client_minor, currency, language),
    }
    if dispute.week_id:
        if not dispute.to_client_minor:
            return _("Decided by the mediator: all %(freelancer)s to the freelancer") % amounts
        if not dispute.to_freelancer_minor:
            return _("Decided by the mediator: nothing billed, %(client)s stays in the client's retainer") % amounts
        return (
            _("Split by the mediator: %(freelancer)s to the freelancer, %(client)s stays in the client's retainer")
            % amounts
        )
    if not dispute.to_client_minor:
        return _("Decided by the mediator: all %(freelancer)s to the freelancer") % amounts
    if not dispute.to_freelancer_minor:
        return _("Decided by the mediator: all %(client)s refunded to the client") % amounts
    return _("Split by the mediator: %(freelancer)s to the freelancer, %(client)s refunded to the client") % amounts


def disputes_decided_against(*, freelancer) -> QuerySet[Dispute]:
    """Disputes a mediator decided against the freelancer: any of the disputed amount went back to the
    client (a full refund, or a split that gave the freelancer less than the disputed amount)."""
    return Dispute.objects.filter(
        contract__freelancer=freelancer,
        state=DisputeState.DECIDED,
        to_freelancer_minor__lt=F("amount_minor"),
    )


def contract_to_talk_about(*, pk: int, user) -> Contract | None:
    """What a contract's "Message" button starts a conversation about (registered with messaging.subjects)."""
    return Contract.objects.select_related("client", "freelancer", "offer__job").filter(pk=pk).first()


def contract_room(contract: Contract, user) -> dict:
    """Everything the contract page shows, with the actions this viewer may take."""
    is_client = user.pk == contract.client_id
    is_freelancer = user.pk == contract.freelancer_id
    milestones = list(contract.milestones.prefetch_related("deliveries", "disputes"))
    today = timezone.localdate()
    for milestone in milestones:
        milestone.accruing_penalty = (
            penalty_due_minor(milestone, today) if milestone.state == MilestoneState.PENDING_FUNDING else 0
        )
        milestone.accruing_penalty_amount = from_minor(milestone.accruing_penalty, contract.currency)
        milestone.to_fund = from_minor(milestone.amount_minor + milestone.accruing_penalty, contract.currency)
        milestone.dispute_outcomes = [
            dispute_outcome(d, contract.currency) for d in milestone.disputes.all() if d.state == DisputeState.DECIDED
        ]
    weeks = []
    if contract.kind == ContractKind.HOURLY:
        for week in contract.weeks.prefetch_related("entries", "disputes"):
            minutes = sum(e.minutes for e in week.entries.all())
            week.hours = hours_text(minutes)
            week.amount = from_minor(week_amount_minor(contract, minutes), contract.currency)
            week.state_now = week.state_on(today)
            week.state_label = WeekState(week.state_now).label
            week.in_review = week.state_now == WeekState.IN_REVIEW and today <= week.review_ends_on
            week.current = week.week_start <= today <= week.week_end
            week.dispute_outcomes = [
                dispute_outcome(d, contract.currency) for d in week.disputes.all() if d.state == DisputeState.DECIDED
            ]
            weeks.append(week)
    figures = escrow_figures(contract)
    escrow = figures.in_escrow_minor
    weekly_need = (
        contract.hourly_rate_minor * (contract.weekly_hour_cap or 0) if contract.kind == ContractKind.HOURLY else 0
    )
    pending = [v for v in contract.versions.all() if not v.accepted and not v.superseded]
    return {
        "contract": contract,
        "is_client": is_client,
        "is_freelancer": is_freelancer,
        "milestones": milestones,
        "weeks": weeks,
        "escrow": from_minor(escrow, contract.currency),
        "released": from_minor(figures.released_minor, contract.currency),
        "refunded": from_minor(figures.refunded_minor, contract.currency),
        "frozen": from_minor(figures.frozen_minor, contract.currency),
        "retainer_low": contract.kind == ContractKind.HOURLY and escrow < weekly_need,
        "weekly_need": from_minor(weekly_need, contract.currency),
        "versions": contract.versions.select_related("proposed_by"),
        "pending_version": pending[0] if pending else None,
        "events": contract.events.select_related("actor").order_by("-created_at")[:100],
        "disputes": contract.disputes.all(),
        "fund_form": FundForm(),
        "retainer_form": RetainerForm(),
        "note_form": NoteForm(),
        "dispute_form": DisputeForm(),
        "time_form": TimeForm(initial={"day": today}),
        "idempotency_key": FundForm().initial["idempotency_key"],
        "active": contract.state == ContractState.ACTIVE,
        "thread": _thread(contract, user),
    }


def _thread(contract: Contract, user) -> dict | None:
    """The contract's conversation (its latest messages) for the contract room, if one has started."""

    if not contract.is_party(user):
        return None
    conversation = (
        Conversation.objects.filter(contract=contract).first()
        or (contract.offer_id and Conversation.objects.filter(offer_id=contract.offer_id).first())
        or None
    )
    if conversation is None:
        return {"conversation": None, "messages": []}
    latest = list(conversation.messages.select_related("sender").order_by("-id")[:5])
    return {"conversation": conversation, "messages": latest[::-1]}


def contracts_needing_action(user) -> list[tuple[Contract, str]]:
    """(contract, what to do) for the viewer's dashboard."""
    items = []
    for contract in contracts_for(user).filter(state__in=[ContractState.PROPOSED, ContractState.ACTIVE]):
        is_client = contract.client_id == user.pk or (contract.client_id is None and contract.freelancer_id != user.pk)
        if contract.state == ContractState.PROPOSED:
            if is_client:
                items.append((contract, "accept"))
            continue
        states = set(contract.milestones.values_list("state", flat=True))
        if is_client and contract.kind == ContractKind.HOURLY and _weeks_in_review(contract).exists():
            items.append((contract, "review_hours"))
        if is_client and MilestoneState.SUBMITTED in states:
            items.append((contract, "review"))
        elif is_client and MilestoneState.PENDING_FUNDING in states:
            items.append((contract, "fund"))
        elif not is_client and MilestoneState.FUNDED in states:
            items.append((contract, "deliver"))
        if contract.disputes.filter(state=DisputeState.OPEN).exists():
            items.append((contract, "dispute"))
    return items


def _weeks_in_review(contract: Contract) -> QuerySet[HourlyWeek]:
    """Weeks with time that the client can still approve or dispute: sent early, or past their Sunday and
    still inside the review window."""
    today = timezone.localdate()
    ended = Q(state=WeekState.OPEN, week_start__lt=today - timedelta(days=6))
    return contract.weeks.filter(
        ended | Q(state=WeekState.IN_REVIEW),
        week_start__gte=today - timedelta(days=6 + hourly_review_days()),
        entries__isnull=False,
    ).distinct()


def pending_payins() -> QuerySet[PayIn]:
    return PayIn.objects.filter(state=PayInState.PENDING).select_related("contract", "client", "milestone")


def open_disputes() -> QuerySet[Dispute]:
    return Dispute.objects.filter(state=DisputeState.OPEN).select_related("contract", "milestone", "week")


def expected_releases(*, freelancer, until) -> list[tuple]:
    """(date, label, net amount, currency) the freelancer can expect from escrow up to `until`, for the
    cash-flow forecast: a delivered milestone on its automatic-release date, a funded one a review window
    after its due date. Net of the platform fee; the late penalty (already in escrow) included."""
    from datetime import timedelta

    today = timezone.localdate()
    rows = []
    milestones = Milestone.objects.filter(
        contract__freelancer=freelancer,
        contract__state=ContractState.ACTIVE,
        state__in=[MilestoneState.FUNDED, MilestoneState.SUBMITTED],
    ).select_related("contract")
    for milestone in milestones:
        contract = milestone.contract
        if milestone.state == MilestoneState.SUBMITTED and milestone.review_ends_at:
            on = timezone.localtime(milestone.review_ends_at).date()
        else:
            on = max(milestone.due_date, today) + timedelta(days=contract.review_window_days)
        if on > until:
            continue
        net = milestone.escrow_minor - basis_points_of(milestone.amount_minor, contract.platform_fee_bp)
        rows.append((on, f"{contract.title}: {milestone.title}", from_minor(net, contract.currency), contract.currency))
    return sorted(rows)


def hours_text(minutes: int) -> str:
    """Minutes as hours for people: 450 -> "7.5", 180 -> "3", 15 -> "0.25" (entries are whole minutes, so
    two decimals are exact for anything logged through the form)."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return f"{hours.normalize():f}"


@dataclass(frozen=True)
class WeekBill:
    """What billing a week would move now, in minor units: owed at the rate, what escrow can pay of it, the
    platform fee on that, and the part escrow cannot cover."""

    owed_minor: int
    billed_minor: int
    fee_minor: int
    shortfall_minor: int

    @property
    def net_minor(self) -> int:
        return self.billed_minor - self.fee_minor


def week_bill(week: HourlyWeek, minutes: int) -> WeekBill:
    """Read from the ledger without writing (a page view creates no account), as _bill_week will compute it."""
    contract = week.contract
    owed = week_amount_minor(contract, minutes)
    billed = min(owed, max(escrow_figures(contract).in_escrow_minor, 0))
    return WeekBill(
        owed_minor=owed,
        billed_minor=billed,
        fee_minor=basis_points_of(billed, contract.platform_fee_bp),
        shortfall_minor=owed - billed,
    )


def week_sheet(week: HourlyWeek, user) -> dict:
    """The week page: a Monday-to-Sunday grid of the entries with day and week totals, the money owed, the
    state as the calendar sees it, and the actions this viewer may take now."""
    contract = week.contract
    today = timezone.localdate()
    entries = list(week.entries.all())
    days = []
    for offset in range(7):
        day = week.week_start + timedelta(days=offset)
        on_day = [entry for entry in entries if entry.date == day]
        for entry in on_day:
            entry.hours = hours_text(entry.minutes)
        days.append({"date": day, "entries": on_day, "hours": hours_text(sum(e.minutes for e in on_day))})
    minutes = sum(entry.minutes for entry in entries)
    state = week.state_on(today)
    is_client = user.pk == contract.client_id
    is_freelancer = user.pk == contract.freelancer_id
    active = contract.state == ContractState.ACTIVE
    in_window = today <= week.review_ends_on
    loggable_days = [d["date"] for d in days if d["date"] <= today]
    bill = week_bill(week, minutes)
    disputes = list(week.disputes.all())
    return {
        "contract": contract,
        "week": week,
        "days": days,
        "total_hours": hours_text(minutes),
        "rate": contract.hourly_rate,
        "owed": from_minor(bill.owed_minor, contract.currency),
        "billed": from_minor(week.billed_minor, contract.currency),
        "shortfall": from_minor(week.shortfall_minor, contract.currency),
        "state": state,
        "state_label": WeekState(state).label,
        "review_ended": not in_window,
        "is_client": is_client,
        "is_freelancer": is_freelancer,
        "can_log": is_freelancer and active and state == WeekState.OPEN and bool(loggable_days),
        "can_submit": is_freelancer and active and state == WeekState.OPEN and bool(entries),
        "can_approve": is_client and active and state == WeekState.IN_REVIEW,
        "can_dispute": is_client and active and state == WeekState.IN_REVIEW and in_window,
        "time_form": WeekTimeForm(days=loggable_days, initial={"day": min(today, week.week_end).isoformat()}),
        "approve_form": WeekApproveForm(),
        "dispute_form": DisputeForm(),
        "disputes": [(d, dispute_outcome(d, contract.currency)) for d in disputes],
    }
