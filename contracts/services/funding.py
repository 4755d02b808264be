"""Paying in and funding: a pay-in from the client (pay in: platform:bank +A · client:funds −A), funding a
milestone or a retainer into escrow (client:funds +A · contract:escrow −A) with any late-funding penalty."""

import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import (
    Contract,
    ContractKind,
    Milestone,
    MilestoneState,
    PayIn,
    PayInState,
)
from contracts.providers import get_provider
from contracts.services._common import (
    _claim_key,
    _event,
    _legs,
    _locked_milestone,
    _minor,
    _move_milestone,
    _move_payin,
    _notify,
    _require_active,
    _require_client,
)
from contracts.terms import penalty_due_minor
from ledger import chart
from ledger.money import MoneyError, format_minor, to_minor
from ledger.services import (
    client_funds_account,
    contract_escrow_account,
    platform_bank_account,
    post_transaction,
)
from webhooks import services as webhooks
from webhooks.events import MILESTONE_FUNDED


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
