"""Creating a contract (directly or from an accepted offer) and the client accepting it."""

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.states import move
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import (
    CONTRACT_TRANSITIONS,
    Contract,
    ContractKind,
    ContractState,
    ContractVersion,
    Milestone,
)
from contracts.services._common import _event, _minor, _notify
from contracts.terms import MilestoneTerms, fund_by_dates
from ledger.money import from_minor, to_minor


def _terms_snapshot(contract: Contract, milestones: list[MilestoneTerms] | list[dict]) -> dict:
    rows = []
    for m in milestones:
        if isinstance(m, dict):
            rows.append(m)
        else:
            rows.append(
                {
                    "title": m.title,
                    "amount_minor": to_minor(m.amount, contract.currency),
                    "due_date": m.due_date.isoformat(),
                    **({"deliver_by": m.deliver_by.isoformat()} if m.deliver_by else {}),
                }
            )
    return {
        "title": contract.title,
        "kind": contract.kind,
        "currency": contract.currency,
        "review_window_days": contract.review_window_days,
        "penalty_bp_per_week": contract.penalty_bp_per_week,
        "penalty_cap_bp": contract.penalty_cap_bp,
        "platform_fee_bp": contract.platform_fee_bp,
        "hourly_rate_minor": contract.hourly_rate_minor,
        "weekly_hour_cap": contract.weekly_hour_cap,
        "cancellation_terms": contract.cancellation_terms,
        "milestones": rows,
    }


def _create_milestones(contract: Contract, rows: list[dict]) -> None:
    start = contract.milestones.count()
    Milestone.objects.bulk_create(
        Milestone(
            contract=contract,
            position=start + n,
            title=row["title"],
            amount_minor=row["amount_minor"],
            due_date=date.fromisoformat(row["due_date"]),
            deliver_by=date.fromisoformat(row["deliver_by"]) if row.get("deliver_by") else None,
        )
        for n, row in enumerate(rows, start=1)
    )


def _validate_terms(
    *,
    kind,
    currency,
    milestones,
    hourly_rate,
    weekly_hour_cap,
    review_window_days,
    penalty_pct_per_week,
    penalty_cap_pct,
    new_contract: bool = True,
) -> None:
    """Check terms before anything is written. A new fixed-price contract needs a milestone; a change of
    terms may add none."""
    if kind == ContractKind.FIXED:
        if new_contract and not milestones:
            raise ContractError(_("A fixed-price contract needs at least one milestone."))
        for m in milestones:
            if not m.title.strip():
                raise ContractError(_("Every milestone needs a title."))
            _minor(m.amount, currency, _("A milestone amount"))
    else:
        _minor(hourly_rate or Decimal(0), currency, _("The hourly rate"))
        if not weekly_hour_cap or not 1 <= weekly_hour_cap <= 80:
            raise ContractError(_("The weekly hour cap must be between 1 and 80."))
    if not 1 <= review_window_days <= 60:
        raise ContractError(_("The review window must be between 1 and 60 days."))
    if penalty_pct_per_week < 0 or penalty_cap_pct < 0 or penalty_pct_per_week > 10 or penalty_cap_pct > 50:
        raise ContractError(_("The late penalty must be 0–10% a week with a cap of 0–50%."))


@transaction.atomic
def contract_create(
    *,
    freelancer,
    client=None,
    client_email: str = "",
    title: str,
    kind: str,
    currency: str,
    milestones: list[MilestoneTerms] | None = None,
    hourly_rate: Decimal | None = None,
    weekly_hour_cap: int | None = None,
    review_window_days: int = 14,
    penalty_pct_per_week: Decimal = Decimal(0),
    penalty_cap_pct: Decimal = Decimal(0),
    cancellation_terms: str = "",
    offer=None,
    accepted_by_client: bool = False,
) -> Contract:
    """A freelancer's contract for a client (by account or by e-mail invitation). The freelancer accepts
    version 1 by proposing it; the contract becomes active when the client accepts it too."""
    milestones = milestones or []
    _validate_terms(
        kind=kind,
        currency=currency,
        milestones=milestones,
        hourly_rate=hourly_rate,
        weekly_hour_cap=weekly_hour_cap,
        review_window_days=review_window_days,
        penalty_pct_per_week=penalty_pct_per_week,
        penalty_cap_pct=penalty_cap_pct,
    )
    if client is not None and client.pk == freelancer.pk:
        raise ContractError(_("You cannot make a contract with yourself."))
    if client is None and not client_email:
        raise ContractError(_("Enter the client's e-mail address."))
    contract = Contract.objects.create(
        offer=offer,
        title=title.strip(),
        client=client,
        client_email=(client.email if client else client_email).lower(),
        invite_token="" if client else secrets.token_urlsafe(32),
        freelancer=freelancer,
        kind=kind,
        currency=currency,
        review_window_days=review_window_days,
        penalty_bp_per_week=int(penalty_pct_per_week * 100),
        penalty_cap_bp=int(penalty_cap_pct * 100),
        platform_fee_bp=settings.KAMAI_PLATFORM_FEE_BP,
        hourly_rate_minor=to_minor(hourly_rate, currency) if kind == ContractKind.HOURLY else None,
        weekly_hour_cap=weekly_hour_cap if kind == ContractKind.HOURLY else None,
        cancellation_terms=cancellation_terms.strip(),
    )
    now = timezone.now()
    version = ContractVersion.objects.create(
        contract=contract,
        number=1,
        terms=_terms_snapshot(contract, milestones),
        proposed_by=freelancer,
        freelancer_accepted_at=now,
        client_accepted_at=now if accepted_by_client else None,
    )
    _create_milestones(contract, version.terms["milestones"])
    _event(contract, freelancer, "created", lambda: _("Contract proposed (version 1)."))
    if accepted_by_client:
        _activate(contract, client)
    elif contract.invite_token:
        link = f"/contracts/invite/{contract.invite_token}/"
        transaction.on_commit(
            lambda: send_mail(
                "[Kamai] " + _("A contract is waiting for you"),
                _(
                    "%(name)s proposed the contract “%(title)s” on Kamai. Open %(link)s to sign up and accept it; "
                    "your payments are held in escrow until you approve the work."
                )
                % {"name": freelancer.name, "title": contract.title, "link": link},
                None,
                [contract.client_email],
            )
        )
    else:
        _notify(contract, _("A contract is waiting for you"), contract.title, to_freelancer=False)
    return contract


def _activate(contract: Contract, client) -> None:
    move(
        contract,
        ContractState.ACTIVE,
        CONTRACT_TRANSITIONS,
        lambda *_s: InvalidTransition(_("This contract cannot be activated.")),
    )
    contract.client = client
    contract.activated_at = timezone.now()
    contract.save(update_fields=["state", "client", "activated_at"])
    _event(contract, client, "activated", lambda: _("Both sides accepted; the contract is active."))


def _offer_milestones(offer) -> list[MilestoneTerms]:
    """The offer's dates are the freelancer's delivery dates; the fund-by dates follow from them (terms.py)."""
    deliver = [date.fromisoformat(m["due_date"]) for m in offer.milestones]
    fund_by = fund_by_dates(deliver, start=timezone.localdate())
    return [
        MilestoneTerms(m["title"], from_minor(m["amount_minor"], offer.currency), fund, deliver_by)
        for m, fund, deliver_by in zip(offer.milestones, fund_by, deliver, strict=True)
    ]


def contract_create_from_offer(*, offer) -> Contract:
    """The hand-off from the marketplace: an accepted offer becomes an active contract on its frozen terms."""
    return contract_create(
        offer=offer,
        freelancer=offer.freelancer,
        client=offer.client,
        title=offer.job.title,
        kind=offer.budget_type,
        currency=offer.currency,
        milestones=_offer_milestones(offer)
        or (
            [MilestoneTerms(offer.job.title, offer.amount, timezone.localdate() + timedelta(days=7))]
            if offer.budget_type == ContractKind.FIXED
            else []
        ),
        hourly_rate=offer.amount if offer.budget_type == ContractKind.HOURLY else None,
        weekly_hour_cap=40 if offer.budget_type == ContractKind.HOURLY else None,
        penalty_pct_per_week=Decimal(settings.KAMAI_DEFAULT_PENALTY_BP_PER_WEEK) / 100,
        penalty_cap_pct=Decimal(settings.KAMAI_DEFAULT_PENALTY_CAP_BP) / 100,
        accepted_by_client=True,
    )


@transaction.atomic
def contract_accept(*, contract: Contract, client, token: str = "") -> Contract:
    """The client accepts a proposed contract: by invitation token (any signed-in account) or as the
    named client."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.state != ContractState.PROPOSED:
        raise InvalidTransition(_("This contract is no longer waiting for acceptance."))
    invited = bool(token) and secrets.compare_digest(token, contract.invite_token or "-")
    if not invited and client.pk != contract.client_id:
        raise NotAllowed(_("This contract is not addressed to you."))
    if client.pk == contract.freelancer_id:
        raise ContractError(_("You cannot accept your own contract as its client."))
    version = contract.versions.get(number=1)
    version.client_accepted_at = timezone.now()
    version.save(update_fields=["client_accepted_at"])
    contract.invite_token = ""
    contract.save(update_fields=["invite_token"])
    _activate(contract, client)
    _notify(contract, _("Contract accepted"), _("“%(title)s” is active.") % {"title": contract.title})
    return contract
