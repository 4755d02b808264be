from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts import services
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import HourlyWeek, WeekState
from contracts.tests.helpers import (
    assert_ledger_clean,
    client_funds,
    escrow,
    fees,
    hourly_contract,
    key,
    log_time,
    wallet,
)

pytestmark = pytest.mark.django_db


def last_week_day():
    today = timezone.localdate()
    return services.week_start_of(today) - timedelta(days=7)


def test_log_time_within_the_weekly_cap():
    contract = hourly_contract(cap=10)
    day = timezone.localdate()
    services.time_entry_add(
        contract=contract, freelancer=contract.freelancer, day=day, hours=Decimal("6"), memo="Tickets"
    )
    with pytest.raises(ContractError, match="weekly cap of 10 hours"):
        services.time_entry_add(
            contract=contract, freelancer=contract.freelancer, day=day, hours=Decimal("4.5"), memo="x"
        )
    with pytest.raises(ContractError, match="future"):
        services.time_entry_add(
            contract=contract, freelancer=contract.freelancer, day=day + timedelta(days=1), hours=Decimal(1), memo="x"
        )
    with pytest.raises(ContractError, match="whole minutes"):
        services.time_entry_add(
            contract=contract, freelancer=contract.freelancer, day=day, hours=Decimal("0.001"), memo="x"
        )
    with pytest.raises(NotAllowed):
        services.time_entry_add(contract=contract, freelancer=contract.client, day=day, hours=Decimal(1), memo="x")


def test_week_is_billed_after_the_review_period_from_the_retainer():
    contract = hourly_contract(rate="20", cap=10)
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(500), provider="sandbox", idempotency_key=key()
    )
    assert escrow(contract) == Decimal("500.00")
    monday = last_week_day()
    log_time(contract, monday, "7.5")
    # Sunday + 5 days has not passed for last week's row until 12 days after its Monday.
    assert services.hourly_bill_due(today=monday + timedelta(days=11)) == 0
    assert services.hourly_bill_due(today=monday + timedelta(days=12)) == 1
    assert services.hourly_bill_due(today=monday + timedelta(days=12)) == 0
    week = HourlyWeek.objects.get()
    assert (week.state, week.billed_minor, week.shortfall_minor) == (WeekState.BILLED, 15000, 0)
    assert wallet(contract.freelancer) == Decimal("142.50")
    assert fees() == Decimal("7.50")
    assert escrow(contract) == Decimal("350.00")
    assert_ledger_clean()


def test_empty_retainer_bills_what_there_is_and_records_the_shortfall():
    contract = hourly_contract(rate="20", cap=10)
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(50), provider="sandbox", idempotency_key=key()
    )
    monday = last_week_day()
    log_time(contract, monday, "5")
    services.hourly_bill_due(today=monday + timedelta(days=12))
    week = HourlyWeek.objects.get()
    assert (week.billed_minor, week.shortfall_minor) == (5000, 5000)
    assert escrow(contract) == 0
    assert_ledger_clean()


def test_disputed_week_is_not_billed_until_decided(admin_user):
    contract = hourly_contract(rate="20", cap=10)
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(200), provider="sandbox", idempotency_key=key()
    )
    monday = last_week_day()
    log_time(contract, monday, "5")
    week = HourlyWeek.objects.get()
    dispute = services.dispute_open(contract=contract, user=contract.client, week=week, reason="Only 3 hours")
    assert services.hourly_bill_due(today=monday + timedelta(days=30)) == 0
    services.dispute_decide(
        dispute=dispute,
        staff=admin_user,
        to_freelancer=Decimal(60),
        to_client=Decimal(40),
        decision="Three hours were shown",
    )
    assert wallet(contract.freelancer) == Decimal("57.00")
    assert escrow(contract) == Decimal("140.00")  # the client's 40 was never billed, it stays in the retainer
    week.refresh_from_db()
    assert week.state == WeekState.RESOLVED
    services.contract_end(contract=contract, user=contract.client)
    assert escrow(contract) == 0
    assert client_funds(contract.client) == Decimal("140.00")
    assert_ledger_clean()


def test_a_week_past_its_review_period_cannot_be_disputed():
    contract = hourly_contract()
    monday = last_week_day() - timedelta(days=14)
    week = HourlyWeek.objects.create(contract=contract, week_start=monday)
    with pytest.raises(InvalidTransition):
        services.dispute_open(contract=contract, user=contract.client, week=week, reason="late")


def test_retainer_is_for_hourly_contracts_only():
    from contracts.tests.helpers import fixed_contract

    contract = fixed_contract()
    with pytest.raises(ContractError, match="hourly"):
        services.retainer_fund(
            contract=contract, client=contract.client, amount=Decimal(10), provider="sandbox", idempotency_key=key()
        )
