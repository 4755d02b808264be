"""Real threads on PostgreSQL: 50 simultaneous approvals of one submitted milestone release it once."""

from decimal import Decimal

import pytest
from django.db import connection

from contracts import services
from contracts.errors import ContractError
from contracts.tests.helpers import assert_ledger_clean, fixed_contract, key, wallet
from kamai.testing import run_concurrently
from ledger.models import Transaction

pytestmark = pytest.mark.django_db(transaction=True)


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Row-lock concurrency needs PostgreSQL (SQLite serialises all writers; CI runs PostgreSQL).")


def _hammer(n, action):
    return run_concurrently(n, action, expected=ContractError)


def test_fifty_concurrent_approvals_release_once():
    _postgres_only()
    contract = fixed_contract(amounts=("1000",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
    outcomes = _hammer(
        50, lambda i: services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    )
    assert outcomes.count("ok") == 1
    assert outcomes.count("InvalidTransition") == 49
    assert Transaction.objects.filter(kind="escrow_release").count() == 1
    assert wallet(contract.freelancer) == Decimal("950.00")
    assert_ledger_clean()


def test_replays_of_one_key_under_concurrency_fund_once():
    _postgres_only()
    contract = fixed_contract(amounts=("300",))
    milestone = contract.milestones.get()
    same = key()
    outcomes = _hammer(
        20,
        lambda i: services.milestone_fund(
            milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=same
        ),
    )
    assert outcomes.count("ok") == 20
    assert Transaction.objects.filter(kind="escrow_fund").count() == 1
    assert Transaction.objects.filter(kind="payin").count() == 1
    assert_ledger_clean()


def test_interrupted_auto_release_run_releases_nothing_twice():
    _postgres_only()
    from datetime import timedelta

    from django.utils import timezone

    contracts = [fixed_contract(amounts=("100",)) for _ in range(3)]
    for contract in contracts:
        milestone = contract.milestones.get()
        services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
        services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
    later = timezone.now() + timedelta(days=30)
    outcomes = _hammer(4, lambda i: services.auto_release_due(now=later))
    assert outcomes == ["ok"] * 4
    assert Transaction.objects.filter(kind="escrow_release").count() == 3
    assert_ledger_clean()
