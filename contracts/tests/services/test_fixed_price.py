from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from contracts import services
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import ContractState, MilestoneState
from contracts.tests.helpers import (
    assert_ledger_clean,
    client_funds,
    escrow,
    fees,
    fixed_contract,
    key,
    stranger,
    wallet,
)
from ledger.models import Transaction
from ledger.services import client_funds_account

pytestmark = pytest.mark.django_db


def test_fund_submit_approve_moves_money_exactly_once(django_capture_on_commit_callbacks):
    contract = fixed_contract(amounts=("500",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED
    assert escrow(contract) == Decimal("500.00")
    assert client_funds(contract.client) == 0  # paid in and straight into escrow

    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="Shop is live")
    approve_key = key()
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=approve_key)
    # The same click again (same key) is a no-op, not an error.
    services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=approve_key)
    assert escrow(contract) == 0
    assert wallet(contract.freelancer) == Decimal("475.00")  # 5% platform fee
    assert fees() == Decimal("25.00")
    assert Transaction.objects.filter(kind="escrow_release").count() == 1
    contract.refresh_from_db()
    assert contract.state == ContractState.COMPLETED
    assert any("released" in m.subject.lower() for m in mail.outbox)
    assert_ledger_clean()


def test_a_second_approval_with_another_key_is_refused():
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="Done")
    services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    with pytest.raises(InvalidTransition, match="released"):
        services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    assert Transaction.objects.filter(kind="escrow_release").count() == 1


def test_roles_are_enforced():
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    other = stranger()
    with pytest.raises(NotAllowed):
        services.milestone_fund(
            milestone=milestone, client=contract.freelancer, provider="sandbox", idempotency_key=key()
        )
    with pytest.raises(NotAllowed):
        services.milestone_fund(milestone=milestone, client=other, provider="sandbox", idempotency_key=key())
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    with pytest.raises(NotAllowed):
        services.milestone_submit(milestone=milestone, freelancer=contract.client, message="x")
    with pytest.raises(NotAllowed):
        services.milestone_refund(milestone=milestone, freelancer=contract.client, idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="x")
    with pytest.raises(NotAllowed):
        services.milestone_approve(milestone=milestone, client=contract.freelancer, idempotency_key=key())
    with pytest.raises(NotAllowed):
        services.milestone_request_changes(milestone=milestone, client=other, note="no")
    assert wallet(contract.freelancer) == 0


def test_changes_requested_then_refund_by_freelancer():
    contract = fixed_contract(amounts=("200",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="v1")
    services.milestone_request_changes(milestone=milestone, client=contract.client, note="Bigger logo")
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED and milestone.review_ends_at is None
    services.milestone_refund(milestone=milestone, freelancer=contract.freelancer, idempotency_key=key())
    assert escrow(contract) == 0
    assert client_funds(contract.client) == Decimal("200.00")
    assert_ledger_clean()


def test_cancel_before_delivery_refunds_funded_and_cancels_the_rest():
    contract = fixed_contract(amounts=("300", "700"))
    first, second = contract.milestones.all()
    services.milestone_fund(milestone=first, client=contract.client, provider="sandbox", idempotency_key=key())
    services.contract_cancel(contract=contract, user=contract.client, idempotency_key=key())
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (MilestoneState.REFUNDED, MilestoneState.CANCELLED)
    assert client_funds(contract.client) == Decimal("300.00")
    assert_ledger_clean()


def test_cannot_cancel_with_work_in_review():
    contract = fixed_contract(amounts=("300",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
    with pytest.raises(ContractError, match="settled before cancelling"):
        services.contract_cancel(contract=contract, user=contract.freelancer, idempotency_key=key())


def test_bad_terms_are_refused_and_nothing_saved():
    from contracts.models import Contract

    with pytest.raises(ContractError, match="at least one milestone"):
        fixed_contract(amounts=())
    with pytest.raises(ContractError, match="more decimals"):
        fixed_contract(amounts=("10.001",))
    with pytest.raises(ContractError, match="late penalty"):
        fixed_contract(penalty_pct=Decimal(20))
    assert not Contract.objects.exists()


def test_direct_contract_invitation_by_email(django_capture_on_commit_callbacks):
    from contracts.services import MilestoneTerms
    from marketplace.tests.factories import make_client, make_freelancer

    freelancer = make_freelancer()
    with django_capture_on_commit_callbacks(execute=True):
        contract = services.contract_create(
            freelancer=freelancer,
            client_email="newclient@example.com",
            title="Logo",
            kind="fixed",
            currency="USD",
            milestones=[MilestoneTerms("Logo", Decimal(150), date.today() + timedelta(days=3))],
        )
    assert contract.state == ContractState.PROPOSED
    assert mail.outbox[-1].to == ["newclient@example.com"]
    assert f"/contracts/invite/{contract.invite_token}/" in mail.outbox[-1].body
    someone = make_client()
    with pytest.raises(NotAllowed):
        services.contract_accept(contract=contract, client=someone, token="wrong-token")
    token = contract.invite_token
    services.contract_accept(contract=contract, client=someone, token=token)
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE and contract.client == someone and contract.invite_token == ""
    with pytest.raises(InvalidTransition):
        services.contract_accept(contract=contract, client=someone, token=token)


def test_terms_change_is_a_new_version_both_accept():
    contract = fixed_contract(amounts=("100",))
    version = services.terms_propose(
        contract=contract,
        user=contract.freelancer,
        review_window_days=7,
        penalty_pct_per_week=Decimal(2),
        penalty_cap_pct=Decimal(10),
        cancellation_terms="7 days notice",
        new_milestones=[services.MilestoneTerms("Extra page", Decimal(50), date.today() + timedelta(days=9))],
    )
    contract.refresh_from_db()
    assert contract.review_window_days == 14  # not yet
    with pytest.raises(ContractError, match="other side must accept"):
        services.terms_accept(version=version, user=contract.freelancer)
    services.terms_accept(version=version, user=contract.client)
    contract.refresh_from_db()
    assert (contract.review_window_days, contract.penalty_bp_per_week, contract.cancellation_terms) == (
        7,
        200,
        "7 days notice",
    )
    assert [m.title for m in contract.milestones.all()] == ["Part 1", "Extra page"]
    assert [v.number for v in contract.versions.all()] == [1, 2]
    with pytest.raises(NotAllowed):
        services.terms_propose(
            contract=contract,
            user=stranger(),
            review_window_days=7,
            penalty_pct_per_week=Decimal(0),
            penalty_cap_pct=Decimal(0),
            cancellation_terms="",
        )


def test_hired_offer_becomes_an_active_contract_and_ending_opens_reviews():
    from marketplace import services as market
    from marketplace.models import OfferState
    from marketplace.tests.factories import make_job, make_proposal

    job = make_job()
    proposal = make_proposal(job, bid="800")
    offer = market.proposal_hire(proposal=proposal, client=job.client)
    market.offer_respond(offer=offer, freelancer=proposal.freelancer, accept=True)
    contract = offer.contract
    assert contract.state == ContractState.ACTIVE
    milestone = contract.milestones.get()
    assert milestone.amount == Decimal("800.00")
    services.milestone_fund(milestone=milestone, client=job.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=proposal.freelancer, message="done")
    services.milestone_approve(milestone=milestone, client=job.client, idempotency_key=key())
    offer.refresh_from_db()
    assert offer.state == OfferState.ENDED  # the review window is open
    assert_ledger_clean()


def test_expected_releases_for_the_cash_flow_forecast():
    from contracts.selectors import expected_releases

    contract = fixed_contract(amounts=("100", "200"))
    first, second = contract.milestones.all()
    services.milestone_fund(milestone=first, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=first, freelancer=contract.freelancer, message="done")
    services.milestone_fund(milestone=second, client=contract.client, provider="sandbox", idempotency_key=key())
    rows = expected_releases(freelancer=contract.freelancer, until=date.today() + timedelta(days=60))
    assert [(label, amount) for _, label, amount, _ in rows] == [
        ("Shop build: Part 1", Decimal("95.00")),
        ("Shop build: Part 2", Decimal("190.00")),
    ]
    assert expected_releases(freelancer=contract.client, until=date.today() + timedelta(days=60)) == []


def test_staff_confirm_the_amount_that_actually_arrived(admin_user):
    contract = fixed_contract(amounts=("400",))
    milestone = contract.milestones.get()
    payin = services.milestone_fund(
        milestone=milestone, client=contract.client, provider="bank_transfer", idempotency_key=key()
    )
    services.payin_confirm(payin=payin, staff=admin_user, bank_reference="FT1", received=Decimal("380.00"))
    milestone.refresh_from_db()
    payin.refresh_from_db()
    assert milestone.state == MilestoneState.AWAITING_PAYMENT and escrow(contract) == 0
    assert payin.received_minor == 38000
    funds = client_funds_account(client=contract.client, currency="USD")
    assert funds.balance == Decimal("380.00")
    assert "still missing" in contract.events.order_by("-id").first().message
    with pytest.raises(ContractError):
        services.payin_confirm(payin=payin, staff=admin_user, bank_reference="FT1", received=Decimal("-1"))
    assert_ledger_clean()


def test_a_transfer_that_brings_more_funds_the_milestone_and_keeps_the_rest(admin_user):
    contract = fixed_contract(amounts=("400",))
    milestone = contract.milestones.get()
    payin = services.milestone_fund(
        milestone=milestone, client=contract.client, provider="bank_transfer", idempotency_key=key()
    )
    services.payin_confirm(payin=payin, staff=admin_user, bank_reference="FT2", received=Decimal("450.00"))
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED and escrow(contract) == Decimal("400.00")
    assert client_funds_account(client=contract.client, currency="USD").balance == Decimal("50.00")
    assert_ledger_clean()
