from decimal import Decimal

import pytest

from contracts import services
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import MilestoneState, PayInState
from contracts.tests.helpers import (
    assert_ledger_clean,
    escrow,
    fees,
    fixed_contract,
    key,
    wallet,
)

pytestmark = pytest.mark.django_db


def test_bank_transfer_waits_for_staff_confirmation(admin_user):
    contract = fixed_contract(amounts=("400",))
    milestone = contract.milestones.get()
    payin = services.milestone_fund(
        milestone=milestone, client=contract.client, provider="bank_transfer", idempotency_key=key()
    )
    milestone.refresh_from_db()
    assert payin.state == PayInState.PENDING and payin.reference.startswith("KMI-")
    assert milestone.state == MilestoneState.AWAITING_PAYMENT
    assert escrow(contract) == 0
    with pytest.raises(NotAllowed):
        services.payin_confirm(payin=payin, staff=contract.client, bank_reference="FT123")
    with pytest.raises(ContractError, match="bank's reference"):
        services.payin_confirm(payin=payin, staff=admin_user, bank_reference=" ")
    services.payin_confirm(payin=payin, staff=admin_user, bank_reference="FT123")
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED
    assert escrow(contract) == Decimal("400.00")
    with pytest.raises(InvalidTransition):
        services.payin_confirm(payin=payin, staff=admin_user, bank_reference="FT123")
    assert_ledger_clean()


def test_sandbox_is_refused_when_not_allowed(settings):
    settings.KAMAI_ALLOW_SANDBOX_PAYMENTS = False
    contract = fixed_contract(amounts=("100",))
    with pytest.raises(ContractError, match="not available"):
        services.milestone_fund(
            milestone=contract.milestones.get(), client=contract.client, provider="sandbox", idempotency_key=key()
        )
    assert escrow(contract) == 0


def test_late_funding_adds_the_penalty_and_the_freelancer_gets_it():
    # Due 10 days ago: two started weeks late at 1% a week = 2% of 1,000 = 20.
    contract = fixed_contract(amounts=("1000",), due_in_days=-10)
    milestone = contract.milestones.get()
    assert services.penalty_due_minor(milestone) == 2000
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    milestone.refresh_from_db()
    assert milestone.penalty_minor == 2000
    assert escrow(contract) == Decimal("1020.00")
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
    services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    # Fee is 5% of the milestone (50), not of the penalty: 1,020 − 50.
    assert wallet(contract.freelancer) == Decimal("970.00")
    assert fees() == Decimal("50.00")
    assert_ledger_clean()


def test_late_penalty_is_capped():
    contract = fixed_contract(amounts=("1000",), due_in_days=-200, penalty_pct=Decimal(2), cap_pct=Decimal(5))
    assert services.penalty_due_minor(contract.milestones.get()) == 5000
