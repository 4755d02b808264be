"""Every contract write. Money moves only through ledger.services with deterministic idempotency keys
(`milestone:<id>:release` and so on), under a row lock on the milestone or week, so a double click, a
retry, two mediators or an interrupted scheduled job can never pay twice.

Platform-book recipes (MONEY.md), amount A, fee F:
  pay in            platform:bank +A · client:funds −A
  fund              client:funds +A · contract:escrow −A
  release           contract:escrow +A · freelancer:wallet −(A−F) · platform:fees −F
  refund            contract:escrow +A · client:funds −A
The late-funding penalty is paid into escrow with the milestone and released to the freelancer with it;
the platform fee is taken on the milestone amount only, never on the penalty.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.states import move
from common.translations import in_every_language
from contracts.action_keys import claim_action_key
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import (
    CONTRACT_TRANSITIONS,
    DISPUTE_TRANSITIONS,
    MILESTONE_TRANSITIONS,
    PAYIN_TRANSITIONS,
    WEEK_TRANSITIONS,
    Contract,
    ContractKind,
    ContractState,
    ContractVersion,
    Delivery,
    Dispute,
    DisputeState,
    Event,
    Evidence,
    HourlyWeek,
    Milestone,
    MilestoneState,
    PayIn,
    PayInState,
    TimeEntry,
    WeekState,
    hourly_review_days,
)
from contracts.providers import get_provider
from contracts.terms import basis_points_of, fund_by_dates, late_penalty_minor
from ledger import chart
from ledger.money import MoneyError, format_minor, from_minor, to_minor
from ledger.selectors import account_balance_minor, natural_minor
from ledger.services import (
    Leg,
    client_funds_account,
    contract_escrow_account,
    freelancer_wallet_account,
    platform_bank_account,
    platform_fees_account,
    post_transaction,
)
from webhooks import services as webhooks
from webhooks.events import MILESTONE_FUNDED, MILESTONE_RELEASED


@dataclass(frozen=True)
class MilestoneTerms:
    title: str
    amount: Decimal
    due_date: date  # fund by
    deliver_by: date | None = None


# --- Helpers ---------------------------------------------------------------------------------------------


def _event(contract: Contract, actor, kind: str, message) -> None:
    """`message` is a callable rendering the line in the active language: it is stored in every language."""
    english, others = in_every_language(message, 500)
    Event.objects.create(contract=contract, actor=actor, kind=kind, message=english, translations=others)


def _notify(contract: Contract, subject: str, body: str, *, to_client=True, to_freelancer=True) -> None:
    """Mail the parties once the transaction commits (through the Huey worker, like all mail)."""
    recipients = []
    if to_client and (contract.client or contract.client_email):
        recipients.append(contract.client.email if contract.client else contract.client_email)
    if to_freelancer:
        recipients.append(contract.freelancer.email)
    if recipients:
        transaction.on_commit(lambda: send_mail(f"[Kamai] {subject}", body, None, recipients))


def _minor(amount: Decimal, currency: str, label: str) -> int:
    try:
        minor = to_minor(amount, currency)
    except MoneyError as error:
        raise ContractError(str(error)) from None
    if minor <= 0:
        raise ContractError(_("%(label)s must be more than zero.") % {"label": label})
    return minor


def _claim_key(key: str, *, user, action: str, object_id: int, params: dict | None = None) -> bool:
    """Record an action's idempotency key with its request. True: first time, go ahead. False: a replay of the
    same request (do nothing, report success). A key reused for another action or request is refused."""
    return claim_action_key(key, user=user, action=action, object_id=object_id, params=params, error=ContractError)


def _move_milestone(milestone: Milestone, to_state: str) -> None:
    def refuse(current, to):
        return InvalidTransition(
            _("This milestone is %(state)s; it cannot be %(to)s.")
            % {"state": MilestoneState(current).label.lower(), "to": MilestoneState(to).label.lower()}
        )

    move(milestone, to_state, MILESTONE_TRANSITIONS, refuse)


def _move_contract(contract: Contract, to_state: str) -> None:
    def refuse(current, to):
        return InvalidTransition(
            _("This contract is %(state)s; it cannot become %(to)s.")
            % {"state": ContractState(current).label.lower(), "to": ContractState(to).label.lower()}
        )

    move(contract, to_state, CONTRACT_TRANSITIONS, refuse)


def _move_payin(payin: PayIn, to_state: str) -> None:
    def refuse(current, to):
        return InvalidTransition(
            _("This bank transfer is already %(state)s.") % {"state": PayInState(current).label.lower()}
        )

    move(payin, to_state, PAYIN_TRANSITIONS, refuse)


def _locked_milestone(milestone_id: int) -> Milestone:
    return Milestone.objects.select_for_update().select_related("contract").get(pk=milestone_id)


def _require_active(contract: Contract) -> None:
    if contract.state != ContractState.ACTIVE:
        raise ContractError(_("The contract is not active."))


def _require_client(contract: Contract, user) -> None:
    if user.pk != contract.client_id:
        raise NotAllowed(_("Only the client can do this."))


def _require_freelancer(contract: Contract, user) -> None:
    if user.pk != contract.freelancer_id:
        raise NotAllowed(_("Only the freelancer can do this."))


def _legs(*pairs) -> list[Leg]:
    return [Leg(account, from_minor(minor, account.currency)) for account, minor in pairs if minor]


def _release_legs(contract: Contract, *, gross_minor: int, fee_base_minor: int) -> list[Leg]:
    """escrow +gross · wallet −(gross − fee) · fees −fee; the fee is a share of fee_base only."""
    fee = basis_points_of(fee_base_minor, contract.platform_fee_bp)
    currency = contract.currency
    return _legs(
        (contract_escrow_account(contract_id=contract.pk, currency=currency), gross_minor),
        (freelancer_wallet_account(freelancer=contract.freelancer, currency=currency), -(gross_minor - fee)),
        (platform_fees_account(currency=currency), -fee),
    )


def _attach(record, upload) -> None:
    """Store an uploaded file (checked by its content, like message attachments) under a random name."""
    if upload is None:
        return
    from django.core.exceptions import ValidationError

    from messaging.attachments import check_attachment, download_name

    try:
        kind = check_attachment(upload)
    except ValidationError as error:
        raise ContractError(" ".join(error.messages)) from None
    record.file_name = download_name(upload.name, kind)
    record.file_type = kind.content_type
    record.file.save(secrets.token_hex(16), upload, save=False)
    record.save(update_fields=["file", "file_name", "file_type"])


# --- Creating contracts ----------------------------------------------------------------------------------


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


# --- Changing terms --------------------------------------------------------------------------------------


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


# --- Paying in and funding ------------------------------------------------------------------------------


def penalty_due_minor(milestone: Milestone, on: date | None = None) -> int:
    contract = milestone.contract
    return late_penalty_minor(
        amount_minor=milestone.amount_minor,
        due=milestone.due_date,
        on=on or timezone.localdate(),
        bp_per_week=contract.penalty_bp_per_week,
        cap_bp=contract.penalty_cap_bp,
    )


def _post_payin(payin: PayIn) -> None:
    currency = payin.currency
    post_transaction(
        _legs(
            (platform_bank_account(currency=currency), payin.credited_minor),
            (client_funds_account(client=payin.client, currency=currency), -payin.credited_minor),
        ),
        idempotency_key=f"payin:{payin.pk}",
        kind=chart.TxnKind.PAYIN,
        memo=f"Pay-in {payin.reference} via {payin.provider}",
        reference=f"payin:{payin.pk}",
    )


def _fund_from_client_funds(milestone: Milestone, actor) -> None:
    contract = milestone.contract
    currency = contract.currency
    post_transaction(
        _legs(
            (client_funds_account(client=contract.client, currency=currency), milestone.escrow_minor),
            (contract_escrow_account(contract_id=contract.pk, currency=currency), -milestone.escrow_minor),
        ),
        idempotency_key=f"milestone:{milestone.pk}:fund",
        kind=chart.TxnKind.ESCROW_FUND,
        memo=f"Fund milestone “{milestone.title}”",
        reference=f"milestone:{milestone.pk}",
    )
    _move_milestone(milestone, MilestoneState.FUNDED)
    milestone.funded_at = timezone.now()
    milestone.save(update_fields=["state", "penalty_minor", "funded_at"])
    webhooks.milestone_event(MILESTONE_FUNDED, milestone)
    penalty = (
        _(" including a late penalty of %(p)s") % {"p": format_minor(milestone.penalty_minor, currency)}
        if milestone.penalty_minor
        else ""
    )
    _event(
        contract,
        actor,
        "funded",
        lambda: (
            _("“%(title)s” funded: %(amount)s in escrow%(penalty)s.")
            % {"title": milestone.title, "amount": format_minor(milestone.escrow_minor, currency), "penalty": penalty}
        ),
    )
    _notify(
        contract, _("Milestone funded"), _("“%(title)s” is in escrow; work can start.") % {"title": milestone.title}
    )


def _new_payin(*, contract, milestone, client, amount_minor, provider_code) -> tuple[PayIn, bool]:
    provider = get_provider(provider_code)
    if provider is None:
        raise ContractError(_("That payment method is not available."))
    payin = PayIn.objects.create(
        contract=contract,
        milestone=milestone,
        client=client,
        amount_minor=amount_minor,
        currency=contract.currency,
        provider=provider.code,
        reference=f"KMI-{contract.pk}-{secrets.token_hex(4).upper()}",
    )
    started = provider.start(payin)
    if started.received:
        _move_payin(payin, PayInState.CONFIRMED)
        payin.confirmed_at = timezone.now()
        payin.save(update_fields=["state", "confirmed_at"])
        _post_payin(payin)
    return payin, started.received


@transaction.atomic
def milestone_fund(*, milestone: Milestone, client, provider: str, idempotency_key: str) -> PayIn | None:
    """The client pays the milestone (plus any late penalty accrued by today) into escrow. With an instant
    provider the money lands now; with a bank transfer the milestone waits for staff to confirm it."""
    milestone = _locked_milestone(milestone.pk)
    contract = milestone.contract
    _require_client(contract, client)
    if not _claim_key(
        idempotency_key, user=client, action="milestone_fund", object_id=milestone.pk, params={"provider": provider}
    ):
        return milestone.payins.order_by("-created_at").first()
    _require_active(contract)
    if milestone.state != MilestoneState.PENDING_FUNDING:
        raise InvalidTransition(_("This milestone is %(state)s.") % {"state": milestone.get_state_display().lower()})
    milestone.penalty_minor = penalty_due_minor(milestone)
    payin, received = _new_payin(
        contract=contract,
        milestone=milestone,
        client=client,
        amount_minor=milestone.escrow_minor,
        provider_code=provider,
    )
    if received:
        _fund_from_client_funds(milestone, client)
    else:
        _move_milestone(milestone, MilestoneState.AWAITING_PAYMENT)
        milestone.save(update_fields=["state", "penalty_minor"])
        _event(
            contract,
            client,
            "payin_started",
            lambda: (
                _("Bank transfer of %(amount)s started, reference %(ref)s.")
                % {"amount": format_minor(payin.amount_minor, payin.currency), "ref": payin.reference}
            ),
        )
    return payin


@transaction.atomic
def retainer_fund(*, contract: Contract, client, amount: Decimal, provider: str, idempotency_key: str) -> PayIn:
    """Hourly contracts: the client tops up escrow; each billed week is paid from it."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require_client(contract, client)
    if contract.kind != ContractKind.HOURLY:
        raise ContractError(_("Retainers are for hourly contracts; fund milestones instead."))
    params = {"amount": amount, "provider": provider}
    if not _claim_key(idempotency_key, user=client, action="retainer_fund", object_id=contract.pk, params=params):
        return contract.payins.order_by("-created_at").first()
    _require_active(contract)
    amount_minor = _minor(amount, contract.currency, _("The amount"))
    payin, received = _new_payin(
        contract=contract, milestone=None, client=client, amount_minor=amount_minor, provider_code=provider
    )
    if received:
        _retainer_into_escrow(payin, client)
    else:
        _event(
            contract,
            client,
            "payin_started",
            lambda: (
                _("Bank transfer of %(amount)s started, reference %(ref)s.")
                % {"amount": format_minor(amount_minor, contract.currency), "ref": payin.reference}
            ),
        )
    return payin


def _retainer_into_escrow(payin: PayIn, actor) -> None:
    contract = payin.contract
    post_transaction(
        _legs(
            (client_funds_account(client=payin.client, currency=payin.currency), payin.credited_minor),
            (contract_escrow_account(contract_id=contract.pk, currency=payin.currency), -payin.credited_minor),
        ),
        idempotency_key=f"payin:{payin.pk}:retainer",
        kind=chart.TxnKind.ESCROW_FUND,
        memo=f"Retainer for “{contract.title}”",
        reference=f"contract:{contract.pk}",
    )
    _event(
        contract,
        actor,
        "retainer_funded",
        lambda: (
            _("%(amount)s added to the retainer in escrow.")
            % {"amount": format_minor(payin.amount_minor, payin.currency)}
        ),
    )


@transaction.atomic
def payin_confirm(*, payin: PayIn, staff, bank_reference: str, received: Decimal | None = None) -> PayIn:
    """Staff saw the client's transfer arrive: post what arrived (`received`, when it differs from what was
    asked) to the client's funds and fund what it was for. A milestone is funded only once the client's funds
    cover it; a short transfer stays in the client's funds and the timeline says what is missing."""
    if not staff.is_staff:
        raise NotAllowed(_("Only staff confirm bank transfers."))
    payin = PayIn.objects.select_for_update().select_related("contract").get(pk=payin.pk)
    if payin.state != PayInState.PENDING:
        raise InvalidTransition(
            _("This transfer was already %(state)s.") % {"state": payin.get_state_display().lower()}
        )
    if not bank_reference.strip():
        raise ContractError(_("Enter the bank's reference for the transfer."))
    if received is not None:
        try:
            received_minor = to_minor(received, payin.currency)
        except MoneyError as error:
            raise ContractError(str(error)) from None
        if received_minor <= 0:
            raise ContractError(_("The amount received must be more than zero."))
        payin.received_minor = None if received_minor == payin.amount_minor else received_minor
    _move_payin(payin, PayInState.CONFIRMED)
    payin.bank_reference = bank_reference.strip()
    payin.confirmed_by = staff
    payin.confirmed_at = timezone.now()
    payin.save(update_fields=["state", "bank_reference", "confirmed_by", "confirmed_at", "received_minor"])
    _post_payin(payin)
    _event(
        payin.contract,
        staff,
        "payin_confirmed",
        lambda: (
            _("Bank transfer %(ref)s received (bank reference %(bank)s).")
            % {"ref": payin.reference, "bank": payin.bank_reference}
        ),
    )
    if payin.received_minor is not None:
        _event(
            payin.contract,
            staff,
            "payin_confirmed",
            lambda: (
                _("%(received)s arrived for a transfer of %(asked)s.")
                % {
                    "received": format_minor(payin.received_minor, payin.currency),
                    "asked": format_minor(payin.amount_minor, payin.currency),
                }
            ),
        )
    if payin.milestone_id:
        milestone = _locked_milestone(payin.milestone_id)
        if milestone.state == MilestoneState.AWAITING_PAYMENT:
            funds = client_funds_account(client=payin.client, currency=payin.currency)
            if funds.available_minor >= milestone.escrow_minor:
                _fund_from_client_funds(milestone, staff)
            else:
                _event(
                    payin.contract,
                    staff,
                    "payin_short",
                    lambda: (
                        _("“%(title)s” is not funded yet: %(missing)s is still missing.")
                        % {
                            "title": milestone.title,
                            "missing": format_minor(milestone.escrow_minor - funds.available_minor, payin.currency),
                        }
                    ),
                )
    else:
        _retainer_into_escrow(payin, staff)
    return payin


# --- Fixed-price flow ------------------------------------------------------------------------------------


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
    from marketplace.services import freelancer_stats_refresh

    freelancer_stats_refresh(user=contract.freelancer)


def _end_offer(contract: Contract, actor) -> None:
    """Marketplace contracts open the double-blind review window when they end."""
    if contract.offer_id:
        from marketplace.models import OfferState
        from marketplace.services import offer_end

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


# --- Scheduled: auto-release -----------------------------------------------------------------------------


def auto_release_due(*, now: datetime | None = None) -> int:
    """Release every submitted milestone whose review window has passed. Each release is its own transaction
    under the milestone's lock, so an interrupted run resumes without releasing anything twice."""
    now = now or timezone.now()
    released = 0
    due = Milestone.objects.filter(state=MilestoneState.SUBMITTED, review_ends_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            milestone = _locked_milestone(pk)
            if milestone.state != MilestoneState.SUBMITTED or milestone.review_ends_at > now:
                continue
            _release(milestone, None, automatic=True)
            released += 1
    return released


def auto_release_warn(*, now: datetime | None = None) -> int:
    """Two days before an automatic release, tell both sides (once per submission)."""
    now = now or timezone.now()
    warned = 0
    soon = Milestone.objects.filter(
        state=MilestoneState.SUBMITTED,
        auto_release_warned_at__isnull=True,
        review_ends_at__lte=now + timedelta(days=2),
        review_ends_at__gt=now,
    ).values_list("pk", flat=True)
    for pk in list(soon):
        with transaction.atomic():
            milestone = _locked_milestone(pk)
            if milestone.auto_release_warned_at or milestone.state != MilestoneState.SUBMITTED:
                continue
            milestone.auto_release_warned_at = now
            milestone.save(update_fields=["auto_release_warned_at"])
            _event(
                milestone.contract,
                None,
                "auto_release_notice",
                lambda milestone=milestone: (
                    _("“%(title)s” will be released automatically on %(date)s.")
                    % {"title": milestone.title, "date": milestone.review_ends_at.date()}
                ),
            )
            _notify(
                milestone.contract,
                _("Automatic release in 2 days"),
                _(
                    "“%(title)s” will be released automatically on %(date)s unless the client approves, asks "
                    "for changes or opens a dispute."
                )
                % {"title": milestone.title, "date": milestone.review_ends_at.date()},
            )
            warned += 1
    return warned


# --- Hourly flow -----------------------------------------------------------------------------------------


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_minutes(week: HourlyWeek) -> int:
    return sum(entry.minutes for entry in week.entries.all())


def week_amount_minor(contract: Contract, minutes: int) -> int:
    return int((Decimal(contract.hourly_rate_minor) * minutes / 60).to_integral_value(rounding="ROUND_HALF_EVEN"))


def _locked_week(week_id: int) -> HourlyWeek:
    """Lock the week's contract, then the week: the order time_entry_add and dispute_open take too, so an
    approval, the scheduled billing and a time entry on one contract queue up instead of deadlocking."""
    contract_id = HourlyWeek.objects.values_list("contract_id", flat=True).get(pk=week_id)
    contract = Contract.objects.select_for_update().get(pk=contract_id)
    week = HourlyWeek.objects.select_for_update().get(pk=week_id)
    week.contract = contract
    return week


def _week_action(to_state: str) -> str:
    return {
        WeekState.IN_REVIEW: _("sent for review"),
        WeekState.APPROVED: _("approved"),
        WeekState.BILLED: _("billed"),
        WeekState.DISPUTED: _("disputed"),
        WeekState.RESOLVED: _("decided"),
    }.get(to_state, str(to_state))


def _move_week(week: HourlyWeek, to_state: str, *, today: date | None = None) -> None:
    """The one place a week changes state: a move in WEEK_TRANSITIONS from the state the calendar gives it
    (an open week is in review once its Sunday has passed), or a refusal the user can read."""

    def refuse(current, to):
        return InvalidTransition(
            _("This week is %(state)s, so it cannot be %(action)s.")
            % {"state": WeekState(current).label.lower(), "action": _week_action(to)}
        )

    move(week, to_state, WEEK_TRANSITIONS, refuse, current=week.state_on(today or timezone.localdate()))


@transaction.atomic
def time_entry_add(*, contract: Contract, freelancer, day: date, hours: Decimal, memo: str) -> TimeEntry:
    """Log time on an hourly contract, within the weekly cap, for a day of a week still open for logging
    (until its Sunday, and not yet sent for review). Moves no money."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require_freelancer(contract, freelancer)
    _require_active(contract)
    if contract.kind != ContractKind.HOURLY:
        raise ContractError(_("Time is logged on hourly contracts only."))
    today = timezone.localdate()
    if day > today:
        raise ContractError(_("You cannot log time in the future."))
    if not memo.strip():
        raise ContractError(_("Say what you worked on."))
    minutes = int(hours * 60)
    if hours <= 0 or hours > 24 or Decimal(minutes) != hours * 60:
        raise ContractError(_("Enter hours between 0 and 24, in whole minutes (e.g. 1.5 or 0.25)."))
    week, _created = HourlyWeek.objects.get_or_create(contract=contract, week_start=week_start_of(day))
    week = HourlyWeek.objects.select_for_update().get(pk=week.pk)
    if week.state_on(today) != WeekState.OPEN:
        raise ContractError(_("That week is closed for logging."))
    if week_minutes(week) + minutes > contract.weekly_hour_cap * 60:
        raise ContractError(_("That goes over the weekly cap of %(cap)d hours.") % {"cap": contract.weekly_hour_cap})
    entry = TimeEntry.objects.create(week=week, date=day, minutes=minutes, memo=memo.strip())
    _event(
        contract, freelancer, "time_logged", lambda: _("%(hours)s h logged for %(day)s.") % {"hours": hours, "day": day}
    )
    return entry


@transaction.atomic
def week_submit(*, week: HourlyWeek, freelancer) -> HourlyWeek:
    """The freelancer sends a week for the client's review before its Sunday: logging closes and the client
    may approve it at once. Moves no money; the review window still ends KAMAI_HOURLY_REVIEW_DAYS after Sunday."""
    week = _locked_week(week.pk)
    contract = week.contract
    _require_freelancer(contract, freelancer)
    _require_active(contract)
    if not week.entries.exists():
        raise ContractError(_("Log some time before you send the week for review."))
    _move_week(week, WeekState.IN_REVIEW)
    week.submitted_at = timezone.now()
    week.save(update_fields=["state", "submitted_at"])

    def message() -> str:
        return _("Week of %(start)s sent for the client's review.") % {"start": week.week_start}

    _event(contract, freelancer, "week_submitted", message)
    _notify(contract, _("A week of hours is ready for your review"), message(), to_freelancer=False)
    return week


@transaction.atomic
def week_approve(*, week: HourlyWeek, client, idempotency_key: str) -> HourlyWeek:
    """The client approves a week in review: it is billed at once, escrow to the freelancer's wallet less the
    platform fee (what escrow cannot cover is recorded as the shortfall). Same ledger key and row lock as the
    scheduled billing, so approval and the job never bill a week twice."""
    week = _locked_week(week.pk)
    _require_client(week.contract, client)
    _require_active(week.contract)
    if not _claim_key(idempotency_key, user=client, action="week_approve", object_id=week.pk):
        return week
    _move_week(week, WeekState.APPROVED)
    week.approved_at = timezone.now()
    _bill_week(week, client)
    return week


def _bill_week(week: HourlyWeek, actor, *, today: date | None = None) -> None:
    """Bill a locked week in review (by the job) or just approved: escrow +billed · wallet −(billed − fee) ·
    fees −fee, where billed is what is owed or, if escrow holds less, all of escrow."""
    contract = week.contract
    approved = week.state == WeekState.APPROVED
    _move_week(week, WeekState.BILLED, today=today)
    owed = week_amount_minor(contract, week_minutes(week))
    available = escrow_balance_minor(contract)
    billed = min(owed, max(available, 0))
    if billed:
        post_transaction(
            _release_legs(contract, gross_minor=billed, fee_base_minor=billed),
            idempotency_key=f"week:{week.pk}:bill",
            kind=chart.TxnKind.HOURLY_BILL,
            memo=f"Week of {week.week_start} on “{contract.title}”" + ("" if approved else " (automatic)"),
            reference=f"week:{week.pk}",
        )
    week.billed_minor = billed
    week.shortfall_minor = owed - billed
    week.billed_at = timezone.now()
    week.save(update_fields=["state", "approved_at", "billed_minor", "shortfall_minor", "billed_at"])

    def message() -> str:
        names = {"start": week.week_start, "amount": format_minor(billed, contract.currency)}
        if approved:
            text = _("Week of %(start)s approved by the client and billed: %(amount)s.") % names
        else:
            text = _("Week of %(start)s billed: %(amount)s.") % names
        if week.shortfall_minor:
            text += " " + _("%(short)s could not be paid: the retainer was empty.") % {
                "short": format_minor(week.shortfall_minor, contract.currency)
            }
        return text

    _event(contract, actor, "week_billed", message)
    _notify(contract, _("Hourly week billed"), message())


def hourly_bill_due(*, today: date | None = None) -> int:
    """Bill every week not approved or disputed whose review window (KAMAI_HOURLY_REVIEW_DAYS after Sunday)
    has passed, each in its own locked transaction; a rerun, or a client approving at the same moment, bills
    nothing twice."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=6 + hourly_review_days())
    waiting = [WeekState.OPEN, WeekState.IN_REVIEW]
    billed = 0
    for pk in list(HourlyWeek.objects.filter(state__in=waiting, week_start__lt=cutoff).values_list("pk", flat=True)):
        with transaction.atomic():
            week = _locked_week(pk)
            if week.state not in waiting:
                continue
            _bill_week(week, None, today=today)
            billed += 1
    return billed


# --- Disputes --------------------------------------------------------------------------------------------


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
