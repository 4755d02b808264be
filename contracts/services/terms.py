"""Changing a contract's terms: one side proposes a new version, the other accepts it."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import (
    Contract,
    ContractKind,
    ContractVersion,
)
from contracts.services._common import _event, _notify, _require_active
from contracts.services.creation import _create_milestones, _terms_snapshot, _validate_terms
from contracts.terms import MilestoneTerms
from ledger.money import to_minor


@transaction.atomic
def terms_propose(
    *,
    contract: Contract,
    user,
    review_window_days: int,
    penalty_pct_per_week: Decimal,
    penalty_cap_pct: Decimal,
    cancellation_terms: str,
    hourly_rate: Decimal | None = None,
    weekly_hour_cap: int | None = None,
    new_milestones: list[MilestoneTerms] | None = None,
) -> ContractVersion:
    """Either side proposes new terms: a new version, accepted by its proposer, applied when the other
    side accepts. New milestones may be added; milestones already created keep their amounts."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not contract.is_party(user):
        raise NotAllowed(_("Only the two sides of a contract can change its terms."))
    _require_active(contract)
    new_milestones = new_milestones or []
    _validate_terms(
        kind=contract.kind,
        currency=contract.currency,
        milestones=new_milestones,
        hourly_rate=hourly_rate if contract.kind == ContractKind.HOURLY else None,
        weekly_hour_cap=weekly_hour_cap,
        review_window_days=review_window_days,
        penalty_pct_per_week=penalty_pct_per_week,
        penalty_cap_pct=penalty_cap_pct,
        new_contract=False,
    )
    contract.versions.filter(client_accepted_at__isnull=True).update(superseded=True)
    contract.versions.filter(freelancer_accepted_at__isnull=True).update(superseded=True)
    proposal = Contract(
        pk=contract.pk,
        title=contract.title,
        kind=contract.kind,
        currency=contract.currency,
        review_window_days=review_window_days,
        penalty_bp_per_week=int(penalty_pct_per_week * 100),
        penalty_cap_bp=int(penalty_cap_pct * 100),
        platform_fee_bp=contract.platform_fee_bp,
        hourly_rate_minor=to_minor(hourly_rate, contract.currency) if contract.kind == ContractKind.HOURLY else None,
        weekly_hour_cap=weekly_hour_cap if contract.kind == ContractKind.HOURLY else None,
        cancellation_terms=cancellation_terms.strip(),
    )
    now = timezone.now()
    is_client = user.pk == contract.client_id
    version = ContractVersion.objects.create(
        contract=contract,
        number=contract.versions.count() + 1,
        terms=_terms_snapshot(proposal, new_milestones),
        proposed_by=user,
        client_accepted_at=now if is_client else None,
        freelancer_accepted_at=None if is_client else now,
    )
    _event(contract, user, "terms_proposed", lambda: _("New terms proposed (version %(n)d).") % {"n": version.number})
    _notify(
        contract, _("New contract terms to review"), contract.title, to_client=not is_client, to_freelancer=is_client
    )
    return version


@transaction.atomic
def terms_accept(*, version: ContractVersion, user) -> Contract:
    version = ContractVersion.objects.select_for_update().select_related("contract").get(pk=version.pk)
    contract = Contract.objects.select_for_update().get(pk=version.contract_id)
    if not contract.is_party(user):
        raise NotAllowed(_("Only the two sides of a contract can accept its terms."))
    if version.accepted or version.superseded:
        raise InvalidTransition(_("These terms are no longer waiting for acceptance."))
    now = timezone.now()
    if user.pk == contract.client_id:
        if version.client_accepted_at:
            raise ContractError(_("You proposed these terms; the other side must accept them."))
        version.client_accepted_at = now
    else:
        if version.freelancer_accepted_at:
            raise ContractError(_("You proposed these terms; the other side must accept them."))
        version.freelancer_accepted_at = now
    version.save(update_fields=["client_accepted_at", "freelancer_accepted_at"])
    terms = version.terms
    contract.review_window_days = terms["review_window_days"]
    contract.penalty_bp_per_week = terms["penalty_bp_per_week"]
    contract.penalty_cap_bp = terms["penalty_cap_bp"]
    contract.cancellation_terms = terms["cancellation_terms"]
    contract.hourly_rate_minor = terms["hourly_rate_minor"]
    contract.weekly_hour_cap = terms["weekly_hour_cap"]
    contract.save()
    _create_milestones(contract, terms["milestones"])
    _event(contract, user, "terms_accepted", lambda: _("Version %(n)d accepted by both sides.") % {"n": version.number})
    return contract
