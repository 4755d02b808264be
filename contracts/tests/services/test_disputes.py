from decimal import Decimal

import pytest

from contracts import services
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import ContractState
from contracts.tests.helpers import (
    assert_ledger_clean,
    client_funds,
    escrow,
    fixed_contract,
    key,
    wallet,
)

pytestmark = pytest.mark.django_db


def test_dispute_freezes_escrow_and_mediator_splits_it(admin_user):
    contract = fixed_contract(amounts=("1000",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
    dispute = services.dispute_open(contract=contract, user=contract.client, milestone=milestone, reason="Half missing")
    with pytest.raises(InvalidTransition):
        services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    services.evidence_add(dispute=dispute, user=contract.freelancer, text="Here is the delivery log")
    with pytest.raises(NotAllowed):
        services.dispute_decide(
            dispute=dispute, staff=contract.client, to_freelancer=Decimal(1000), to_client=Decimal(0), decision="mine"
        )
    with pytest.raises(ContractError, match="add up to"):
        services.dispute_decide(
            dispute=dispute, staff=admin_user, to_freelancer=Decimal(600), to_client=Decimal(300), decision="split"
        )
    services.dispute_decide(
        dispute=dispute,
        staff=admin_user,
        to_freelancer=Decimal(600),
        to_client=Decimal(400),
        decision="Half the pages were delivered",
    )
    assert wallet(contract.freelancer) == Decimal("570.00")  # 600 less 5%
    assert client_funds(contract.client) == Decimal("400.00")
    assert escrow(contract) == 0
    contract.refresh_from_db()
    assert contract.state == ContractState.COMPLETED
    assert contract.events.filter(kind="dispute_decided").exists()
    assert_ledger_clean()
