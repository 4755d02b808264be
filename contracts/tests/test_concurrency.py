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


def _race_approval_against_billing():
    from datetime import timedelta

    from django.utils import timezone

    from contracts.models import HourlyWeek, WeekState
    from contracts.tests.helpers import escrow, hourly_contract, log_time

    contract = hourly_contract(rate="20", cap=10)
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(500), provider="sandbox", idempotency_key=key()
    )
    log_time(contract, services.week_start_of(timezone.localdate()) - timedelta(days=7), "7.5")
    week = contract.weeks.get()
    after_window = week.review_ends_on + timedelta(days=1)

    def approve_or_bill(i):
        if i % 2:
            services.hourly_bill_due(today=after_window)
        else:
            services.week_approve(week=week, client=contract.client, idempotency_key=key())

    outcomes = _hammer(8, approve_or_bill)
    assert set(outcomes) <= {"ok", "InvalidTransition"}, outcomes
    assert outcomes.count("ok") >= 4  # every job run succeeds, billing or skipping
    week = HourlyWeek.objects.get(pk=week.pk)
    assert (week.state, week.billed_minor) == (WeekState.BILLED, 15000)
    assert Transaction.objects.filter(kind="hourly_bill", reference=f"week:{week.pk}").count() == 1
    assert wallet(contract.freelancer) == Decimal("142.50")
    assert escrow(contract) == Decimal("350.00")


def test_approval_racing_the_scheduled_billing_bills_the_week_once():
    """The client approves while the hourly job bills the same week: whichever takes the week's lock first
    bills it; the other finds it billed (the approval is refused, the job skips it). A few rounds, since
    either side may win."""
    _postgres_only()
    for _round in range(3):
        _race_approval_against_billing()
    assert_ledger_clean()
