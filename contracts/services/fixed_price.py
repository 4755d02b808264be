"""The fixed-price flow: delivery, approval and release (contract:escrow +A · freelancer:wallet −(A−F) ·
platform:fees −F), changes, refunds (contract:escrow +A · client:funds −A), cancelling and ending a contract."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import (
    CONTRACT_TRANSITIONS,
    Contract,
    ContractKind,
    ContractState,
    Delivery,
    DisputeState,
    Milestone,
    MilestoneState,
    WeekState,
)
from contracts.services._common import (
    _attach,
    _claim_key,
    _event,
    _legs,
    _locked_milestone,
    _move_contract,
    _move_milestone,
    _notify,
    _release_legs,
    _require_active,
    _require_client,
    _require_freelancer,
)
from ledger import chart
from ledger.money import format_minor
from ledger.selectors import account_balance_minor, natural_minor
from ledger.services import (
    client_funds_account,
    contract_escrow_account,
    post_transaction,
)
from marketplace.models import OfferState
from marketplace.services import freelancer_stats_refresh, offer_end
from webhooks import services as webhooks
from webhooks.events import MILESTONE_RELEASED


@transaction.atomic
def milestone_submit(*, milestone: Milestone, freelancer, message: str, file=None) -> Delivery:
    milestone = _locked_milestone(milestone.pk)
    contract = milestone.contract
    _require_freelancer(contract, freelancer)
    _require_active(contract)
    if not message.strip():
        raise ContractError(_("Describe what you are delivering."))
    _move_milestone(milestone, MilestoneState.SUBMITTED)
    now = timezone.now()
    milestone.submitted_at = now
    milestone.review_ends_at = now + timedelta(days=contract.review_window_days)
    milestone.auto_release_warned_at = None
    milestone.save(update_fields=["state", "submitted_at", "review_ends_at", "auto_release_warned_at"])
    delivery = Delivery.objects.create(milestone=milestone, message=message.strip())
    _attach(delivery, file)
    _event(
        contract, freelancer, "submitted", lambda: _("“%(title)s” delivered for review.") % {"title": milestone.title}
    )
    _notify(
        contract,
        _("Work delivered for your review"),
        _(
            "“%(title)s” was delivered. Approve it or request changes by %(date)s; after that it is released "
            "automatically."
        )
        % {"title": milestone.title, "date": milestone.review_ends_at.date()},
        to_freelancer=False,
    )
    return delivery


def _release(milestone: Milestone, actor, *, automatic: bool) -> None:
    contract = milestone.contract
    _move_milestone(milestone, MilestoneState.RELEASED)
    post_transaction(
        _release_legs(contract, gross_minor=milestone.escrow_minor, fee_base_minor=milestone.amount_minor),
        idempotency_key=f"milestone:{milestone.pk}:release",
        kind=chart.TxnKind.ESCROW_RELEASE,
        memo=f"Release “{milestone.title}”" + (" (automatic)" if automatic else ""),
        reference=f"milestone:{milestone.pk}",
    )
    milestone.released_at = timezone.now()
    milestone.save(update_fields=["state", "released_at"])
    webhooks.milestone_event(MILESTONE_RELEASED, milestone)

    def how() -> str:
        return _("released automatically after the review window") if automatic else _("approved and released")

    _event(contract, actor, "released", lambda: _("“%(title)s” %(how)s.") % {"title": milestone.title, "how": how()})
    _notify(contract, _("Milestone released"), _("“%(title)s” was %(how)s.") % {"title": milestone.title, "how": how()})
    _complete_if_done(contract, actor)


@transaction.atomic
def milestone_approve(*, milestone: Milestone, client, idempotency_key: str) -> Milestone:
    """The client approves a delivery: escrow goes to the freelancer's wallet, less the platform fee."""
    milestone = _locked_milestone(milestone.pk)
    _require_client(milestone.contract, client)
    if not _claim_key(idempotency_key, user=client, action="milestone_approve", object_id=milestone.pk):
        return milestone
    _release(milestone, client, automatic=False)
    return milestone


@transaction.atomic
def milestone_request_changes(*, milestone: Milestone, client, note: str) -> Milestone:
    milestone = _locked_milestone(milestone.pk)
    _require_client(milestone.contract, client)
    if not note.strip():
        raise ContractError(_("Say what should change."))
    _move_milestone(milestone, MilestoneState.FUNDED)
    milestone.review_ends_at = None
    milestone.changes_requested_at = timezone.now()
    milestone.changes_note = note.strip()[:2000]
    milestone.save(update_fields=["state", "review_ends_at", "changes_requested_at", "changes_note"])
    _event(
        milestone.contract,
        client,
        "changes_requested",
        lambda: _("Changes requested: %(note)s") % {"note": note.strip()},
    )
    _notify(milestone.contract, _("Changes requested"), note.strip(), to_client=False)
    return milestone


def _refund(milestone: Milestone, actor, why) -> None:
    """`why` is a callable giving the reason in the active language (the timeline keeps every language)."""
    contract = milestone.contract
    _move_milestone(milestone, MilestoneState.REFUNDED)
    post_transaction(
        _legs(
            (contract_escrow_account(contract_id=contract.pk, currency=contract.currency), milestone.escrow_minor),
            (client_funds_account(client=contract.client, currency=contract.currency), -milestone.escrow_minor),
        ),
        idempotency_key=f"milestone:{milestone.pk}:refund",
        kind=chart.TxnKind.ESCROW_REFUND,
        memo=f"Refund “{milestone.title}”",
        reference=f"milestone:{milestone.pk}",
    )
    milestone.save(update_fields=["state"])
    _event(
        contract,
        actor,
        "refunded",
        lambda: _("“%(title)s” refunded to the client (%(why)s).") % {"title": milestone.title, "why": why()},
    )


@transaction.atomic
def milestone_refund(*, milestone: Milestone, freelancer, idempotency_key: str) -> Milestone:
    """The freelancer gives a funded milestone's money back to the client."""
    milestone = _locked_milestone(milestone.pk)
    _require_freelancer(milestone.contract, freelancer)
    if not _claim_key(idempotency_key, user=freelancer, action="milestone_refund", object_id=milestone.pk):
        return milestone
    if milestone.state != MilestoneState.FUNDED:
        raise InvalidTransition(_("Only a funded milestone that is not delivered can be refunded."))
    _refund(milestone, freelancer, lambda: _("by the freelancer"))
    _notify(milestone.contract, _("Milestone refunded"), milestone.title)
    _complete_if_done(milestone.contract, freelancer)
    return milestone


@transaction.atomic
def contract_cancel(*, contract: Contract, user, idempotency_key: str) -> Contract:
    """Either side cancels while nothing is delivered or disputed: funded milestones go back to the client's
    funds and unfunded ones are cancelled."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_party(user):
        raise NotAllowed(_("Only the two sides of a contract can cancel it."))
    if not _claim_key(idempotency_key, user=user, action="contract_cancel", object_id=contract.pk):
        return contract
    if ContractState.CANCELLED not in CONTRACT_TRANSITIONS[contract.state]:
        raise InvalidTransition(
            _("This contract is already %(state)s.") % {"state": contract.get_state_display().lower()}
        )
    milestones = list(Milestone.objects.select_for_update().select_related("contract").filter(contract=contract))
    blocking = {MilestoneState.SUBMITTED, MilestoneState.DISPUTED, MilestoneState.AWAITING_PAYMENT}
    if any(m.state in blocking for m in milestones) or contract.disputes.filter(state=DisputeState.OPEN).exists():
        raise ContractError(_("A delivered, disputed or in-transit milestone must be settled before cancelling."))
    for milestone in milestones:
        if milestone.state == MilestoneState.FUNDED:
            _refund(milestone, user, lambda: _("contract cancelled"))
        elif milestone.state == MilestoneState.PENDING_FUNDING:
            _move_milestone(milestone, MilestoneState.CANCELLED)
            milestone.save(update_fields=["state"])
    if contract.kind == ContractKind.HOURLY and contract.client_id:
        _return_retainer(contract, user)
    _move_contract(contract, ContractState.CANCELLED)
    contract.ended_at = timezone.now()
    contract.save(update_fields=["state", "ended_at"])
    _event(contract, user, "cancelled", lambda: _("Contract cancelled."))
    _notify(contract, _("Contract cancelled"), contract.title)
    _end_offer(contract, user)
    return contract


def escrow_balance_minor(contract: Contract) -> int:
    """What the contract's escrow holds now, in minor units (natural sign: positive while funded)."""
    escrow = contract_escrow_account(contract_id=contract.pk, currency=contract.currency)
    return natural_minor(account=escrow, signed_minor=account_balance_minor(account=escrow))


def _return_retainer(contract: Contract, actor) -> None:
    escrow = contract_escrow_account(contract_id=contract.pk, currency=contract.currency)
    left = escrow_balance_minor(contract)
    if left > 0:
        post_transaction(
            _legs((escrow, left), (client_funds_account(client=contract.client, currency=contract.currency), -left)),
            idempotency_key=f"contract:{contract.pk}:retainer_return",
            kind=chart.TxnKind.ESCROW_REFUND,
            memo="Unused retainer returned",
            reference=f"contract:{contract.pk}",
        )
        _event(
            contract,
            actor,
            "refunded",
            lambda: (
                _("Unused retainer of %(amount)s returned to the client.")
                % {"amount": format_minor(left, contract.currency)}
            ),
        )


def _complete_if_done(contract: Contract, actor) -> None:
    if contract.kind != ContractKind.FIXED or contract.state != ContractState.ACTIVE:
        return
    open_states = {
        MilestoneState.PENDING_FUNDING,
        MilestoneState.AWAITING_PAYMENT,
        MilestoneState.FUNDED,
        MilestoneState.SUBMITTED,
        MilestoneState.DISPUTED,
    }
    if contract.milestones.filter(state__in=open_states).exists():
        return
    _move_contract(contract, ContractState.COMPLETED)
    contract.ended_at = timezone.now()
    contract.save(update_fields=["state", "ended_at"])
    _event(contract, actor, "completed", lambda: _("Every milestone is settled; the contract is complete."))
    _end_offer(contract, actor)


def _refresh_job_success(contract: Contract) -> None:
    """A decided dispute counts in the freelancer's job success, whether or not the contract has ended."""

    freelancer_stats_refresh(user=contract.freelancer)


def _end_offer(contract: Contract, actor) -> None:
    """Marketplace contracts open the double-blind review window when they end."""
    if contract.offer_id:
        if contract.offer.state == OfferState.ACCEPTED:
            offer_end(offer=contract.offer, user=actor if actor and contract.is_party(actor) else contract.client)


@transaction.atomic
def contract_end(*, contract: Contract, user) -> Contract:
    """Hourly contracts end when either side says so (after the last week is billed or disputed)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_party(user):
        raise NotAllowed(_("Only the two sides of a contract can end it."))
    if contract.kind != ContractKind.HOURLY or contract.state != ContractState.ACTIVE:
        raise InvalidTransition(_("Only an active hourly contract is ended this way."))
    unbilled = [WeekState.OPEN, WeekState.IN_REVIEW, WeekState.APPROVED]
    if contract.weeks.filter(state__in=unbilled, entries__isnull=False).exists():
        raise ContractError(_("Weeks with logged time must be billed (or disputed) before the contract ends."))
    _return_retainer(contract, user)
    _move_contract(contract, ContractState.COMPLETED)
    contract.ended_at = timezone.now()
    contract.save(update_fields=["state", "ended_at"])
    _event(contract, user, "completed", lambda: _("The hourly contract ended."))
    _end_offer(contract, user)
    return contract
