"""Contract reads: the contract room, lists needing action, staff queues."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from contracts.forms import DisputeForm, FundForm, NoteForm, RetainerForm, TimeForm
from contracts.models import (
    Contract,
    ContractKind,
    ContractState,
    Dispute,
    DisputeState,
    Milestone,
    MilestoneState,
    PayIn,
    PayInState,
    WeekState,
)
from contracts.services import escrow_balance_minor, penalty_due_minor, week_amount_minor
from ledger.money import from_minor


def milestones_with_contract() -> QuerySet[Milestone]:
    return Milestone.objects.select_related("contract")


def contracts_for(user) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(Q(client=user) | Q(freelancer=user) | Q(client_email__iexact=user.email, client=None))
        .select_related("client__client_profile", "freelancer__freelancer_profile")
        .order_by("-created_at")
    )


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
    released = sum(m.escrow_minor for m in milestones if m.state == MilestoneState.RELEASED)
    weeks = []
    if contract.kind == ContractKind.HOURLY:
        for week in contract.weeks.prefetch_related("entries"):
            minutes = sum(e.minutes for e in week.entries.all())
            week.hours = minutes / 60 if minutes % 60 == 0 else round(minutes / 60, 2)
            week.amount = from_minor(week_amount_minor(contract, minutes), contract.currency)
            week.in_review = week.state == WeekState.OPEN and week.week_end < today <= week.review_ends_on
            week.current = week.week_start <= today <= week.week_end
            weeks.append(week)
        released += sum(w.billed_minor for w in weeks)
    escrow = escrow_balance_minor(contract) if contract.pk else 0
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
        "released": from_minor(released, contract.currency),
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
    from messaging.models import Conversation

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
        if is_client and MilestoneState.SUBMITTED in states:
            items.append((contract, "review"))
        elif is_client and MilestoneState.PENDING_FUNDING in states:
            items.append((contract, "fund"))
        elif not is_client and MilestoneState.FUNDED in states:
            items.append((contract, "deliver"))
        if contract.disputes.filter(state=DisputeState.OPEN).exists():
            items.append((contract, "dispute"))
    return items


def pending_payins() -> QuerySet[PayIn]:
    return PayIn.objects.filter(state=PayInState.PENDING).select_related("contract", "client", "milestone")


def open_disputes() -> QuerySet[Dispute]:
    return Dispute.objects.filter(state=DisputeState.OPEN).select_related("contract", "milestone", "week")


def expected_releases(*, freelancer, until) -> list[tuple]:
    """(date, label, net amount, currency) the freelancer can expect from escrow up to `until`, for the
    cash-flow forecast: a delivered milestone on its automatic-release date, a funded one a review window
    after its due date. Net of the platform fee; the late penalty (already in escrow) included."""
    from datetime import timedelta

    from contracts.terms import basis_points_of

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
