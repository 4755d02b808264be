"""What every contract service shares: the event log and mail, state moves through the transition
tables, locks, the caller's idempotency key, and the ledger legs of a release."""

import secrets
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from common import fragments
from common.states import move
from common.translations import in_every_language
from contracts.action_keys import claim_action_key
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import (
    CONTRACT_TRANSITIONS,
    MILESTONE_TRANSITIONS,
    PAYIN_TRANSITIONS,
    Contract,
    ContractState,
    Event,
    Milestone,
    MilestoneState,
    PayIn,
    PayInState,
)
from contracts.terms import basis_points_of
from ledger.money import MoneyError, from_minor, to_minor
from ledger.services import (
    Leg,
    contract_escrow_account,
    freelancer_wallet_account,
    platform_fees_account,
)
from messaging.attachments import check_attachment, download_name


def contract_group(contract_id: int) -> str:
    """The cache group of a contract's room (common.fragments)."""
    return f"contract:{contract_id}"


def _event(contract: Contract, actor, kind: str, message) -> None:
    """`message` is a callable rendering the line in the active language: it is stored in every language."""
    english, others = in_every_language(message, 500)
    Event.objects.create(contract=contract, actor=actor, kind=kind, message=english, translations=others)
    fragments.changed(contract_group(contract.pk))  # both parties' cached contract rooms


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

    try:
        kind = check_attachment(upload)
    except ValidationError as error:
        raise ContractError(" ".join(error.messages)) from None
    record.file_name = download_name(upload.name, kind)
    record.file_type = kind.content_type
    record.file.save(secrets.token_hex(16), upload, save=False)
    record.save(update_fields=["file", "file_name", "file_type"])
