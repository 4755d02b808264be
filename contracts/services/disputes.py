"""Disputes: opening one, evidence, and the mediator's split of the escrowed amount."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.states import move
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import (
    DISPUTE_TRANSITIONS,
    Contract,
    Dispute,
    DisputeState,
    Evidence,
    HourlyWeek,
    Milestone,
    MilestoneState,
    WeekState,
)
from contracts.services._common import (
    _attach,
    _event,
    _legs,
    _locked_milestone,
    _move_milestone,
    _notify,
    _release_legs,
)
from contracts.services.fixed_price import _complete_if_done, _refresh_job_success
from contracts.services.hourly import _move_week, week_minutes
from contracts.terms import week_amount_minor
from ledger import chart
from ledger.money import MoneyError, format_minor, to_minor
from ledger.services import (
    Leg,
    client_funds_account,
    contract_escrow_account,
    post_transaction,
)


@transaction.atomic
def dispute_open(
    *, contract: Contract, user, reason: str, milestone: Milestone | None = None, week: HourlyWeek | None = None
) -> Dispute:
    """Either side disputes a funded or delivered milestone, or a week in review; its escrow is frozen."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_party(user):
        raise NotAllowed(_("Only the two sides of a contract can open a dispute."))
    if not reason.strip():
        raise ContractError(_("Explain what the dispute is about."))
    if (milestone is None) == (week is None):
        raise ContractError(_("Choose the milestone or the week in dispute."))
    if milestone is not None:
        milestone = _locked_milestone(milestone.pk)
        if milestone.contract_id != contract.pk:
            raise NotAllowed(_("That milestone is not part of this contract."))
        _move_milestone(milestone, MilestoneState.DISPUTED)
        milestone.save(update_fields=["state"])
        amount = milestone.escrow_minor

        def what() -> str:
            return milestone.title
    else:
        week = HourlyWeek.objects.select_for_update().get(pk=week.pk)
        if week.contract_id != contract.pk:
            raise NotAllowed(_("That week is not part of this contract."))
        if timezone.localdate() > week.review_ends_on:
            raise InvalidTransition(_("Only a week still in its review period can be disputed."))
        _move_week(week, WeekState.DISPUTED)
        week.save(update_fields=["state"])
        amount = week_amount_minor(contract, week_minutes(week))

        def what() -> str:
            return _("week of %(start)s") % {"start": week.week_start}

    dispute = Dispute.objects.create(
        contract=contract, milestone=milestone, week=week, opened_by=user, reason=reason.strip(), amount_minor=amount
    )
    _event(
        contract,
        user,
        "dispute_opened",
        lambda: _("Dispute opened on %(what)s: %(reason)s") % {"what": what(), "reason": reason.strip()},
    )
    _notify(
        contract,
        _("A dispute was opened"),
        _("A mediator will review %(what)s. Add your evidence on the contract page.") % {"what": what()},
    )
    return dispute


@transaction.atomic
def evidence_add(*, dispute: Dispute, user, text: str, file=None) -> Evidence:
    dispute = Dispute.objects.select_related("contract").get(pk=dispute.pk)
    if not (dispute.contract.is_party(user) or user.is_staff):
        raise NotAllowed(_("Only the parties and mediators can add evidence."))
    if dispute.state != DisputeState.OPEN:
        raise InvalidTransition(_("This dispute is already decided."))
    if not text.strip():
        raise ContractError(_("Describe your evidence."))
    evidence = Evidence.objects.create(dispute=dispute, author=user, text=text.strip())
    _attach(evidence, file)
    _event(dispute.contract, user, "evidence", lambda: _("Evidence added to dispute #%(n)d.") % {"n": dispute.pk})
    return evidence


@transaction.atomic
def dispute_decide(*, dispute: Dispute, staff, to_freelancer: Decimal, to_client: Decimal, decision: str) -> Dispute:
    """A mediator splits the frozen amount between the freelancer (less the platform fee on that share) and
    the client's funds. The two shares must add up to the frozen amount exactly."""
    if not staff.is_staff:
        raise NotAllowed(_("Only a mediator can decide a dispute."))
    dispute = Dispute.objects.select_for_update().select_related("contract").get(pk=dispute.pk)
    contract = dispute.contract
    if dispute.state != DisputeState.OPEN:
        raise InvalidTransition(_("This dispute is already decided."))
    if not decision.strip():
        raise ContractError(_("Write the reason for the decision."))
    try:
        freelancer_minor = to_minor(to_freelancer, contract.currency)
        client_minor = to_minor(to_client, contract.currency)
    except MoneyError as error:
        raise ContractError(str(error)) from None
    if freelancer_minor < 0 or client_minor < 0 or freelancer_minor + client_minor != dispute.amount_minor:
        raise ContractError(
            _("The shares must be zero or more and add up to %(amount)s.")
            % {"amount": format_minor(dispute.amount_minor, contract.currency)}
        )
    if dispute.week_id:
        # A disputed week was never billed: the freelancer's share comes out of the retainer now.
        week = HourlyWeek.objects.select_for_update().get(pk=dispute.week_id)
        legs = (
            _release_legs(contract, gross_minor=freelancer_minor, fee_base_minor=freelancer_minor)
            if freelancer_minor
            else []
        )
        if legs:
            post_transaction(
                legs,
                idempotency_key=f"dispute:{dispute.pk}:decide",
                kind=chart.TxnKind.DISPUTE_DECISION,
                memo=f"Dispute #{dispute.pk} decision",
                reference=f"dispute:{dispute.pk}",
            )
        _move_week(week, WeekState.RESOLVED)
        week.billed_minor = freelancer_minor
        week.save(update_fields=["state", "billed_minor"])
    else:
        milestone = _locked_milestone(dispute.milestone_id)
        fee_base = min(freelancer_minor, milestone.amount_minor)
        legs = []
        if freelancer_minor:
            legs += _release_legs(contract, gross_minor=freelancer_minor, fee_base_minor=fee_base)
        if client_minor:
            legs += _legs(
                (contract_escrow_account(contract_id=contract.pk, currency=contract.currency), client_minor),
                (client_funds_account(client=contract.client, currency=contract.currency), -client_minor),
            )
        post_transaction(
            _merge(legs),
            idempotency_key=f"dispute:{dispute.pk}:decide",
            kind=chart.TxnKind.DISPUTE_DECISION,
            memo=f"Dispute #{dispute.pk} decision",
            reference=f"dispute:{dispute.pk}",
        )
        _move_milestone(milestone, MilestoneState.RESOLVED)
        milestone.released_at = timezone.now()
        milestone.save(update_fields=["state", "released_at"])
    move(
        dispute,
        DisputeState.DECIDED,
        DISPUTE_TRANSITIONS,
        lambda *_s: InvalidTransition(_("This dispute is already decided.")),
    )
    dispute.to_freelancer_minor = freelancer_minor
    dispute.to_client_minor = client_minor
    dispute.decision = decision.strip()
    dispute.decided_by = staff
    dispute.decided_at = timezone.now()
    dispute.save()

    def summary() -> str:
        return _("Dispute #%(n)d decided: %(f)s to the freelancer, %(c)s back to the client. %(why)s") % {
            "n": dispute.pk,
            "f": format_minor(freelancer_minor, contract.currency),
            "c": format_minor(client_minor, contract.currency),
            "why": decision.strip(),
        }

    _event(contract, staff, "dispute_decided", summary)
    _notify(contract, _("Dispute decided"), summary())
    _complete_if_done(contract, staff)
    _refresh_job_success(contract)
    return dispute


def _merge(legs: list[Leg]) -> list[Leg]:
    """One leg per account (a split touches escrow twice)."""
    totals: dict[int, tuple] = {}
    for leg in legs:
        account = leg.account
        previous = totals.get(account.pk, (account, Decimal(0)))[1]
        totals[account.pk] = (account, previous + leg.amount)
    return [Leg(account, amount) for account, amount in totals.values() if amount]
