"""The weekly timesheet review (Upwork's model): a week is open for logging until Sunday (or until the
freelancer sends it early), then in the client's review; approval bills it at once, a dispute stops it, and the
scheduled job bills what is left when the review window ends. Nothing is ever billed twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts import services
from contracts.errors import ContractError, InvalidTransition, NotAllowed
from contracts.models import WEEK_TRANSITIONS, HourlyWeek, WeekState
from contracts.tests.helpers import (
    assert_ledger_clean,
    escrow,
    fees,
    hourly_contract,
    key,
    log_time,
    on_day,
    wallet,
)
from ledger.models import Transaction

pytestmark = pytest.mark.django_db


def this_monday():
    return services.week_start_of(timezone.localdate())


def last_monday():
    return this_monday() - timedelta(days=7)


def funded_contract(amount="500"):
    contract = hourly_contract(rate="20", cap=10)
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(amount), provider="sandbox", idempotency_key=key()
    )
    return contract


def hourly_bills():
    return Transaction.objects.filter(kind="hourly_bill").count()


# --- The table ---------------------------------------------------------------------------------------


ALL_MOVES = [(a, b) for a in WeekState.values for b in WeekState.values]


@pytest.mark.parametrize("from_state,to_state", ALL_MOVES)
def test_the_transition_table_allows_its_moves_and_refuses_every_other(from_state, to_state):
    # A week that has not ended yet, so the calendar does not turn "open" into "in review".
    week = HourlyWeek(week_start=this_monday(), state=from_state)
    if to_state in WEEK_TRANSITIONS[from_state]:
        services._move_week(week, to_state)
        assert week.state == to_state
    else:
        with pytest.raises(InvalidTransition, match="cannot be"):
            services._move_week(week, to_state)
        assert week.state == from_state


def test_an_open_week_is_in_review_once_its_sunday_has_passed():
    week = HourlyWeek(week_start=last_monday(), state=WeekState.OPEN)
    assert week.state_on(week.week_end) == WeekState.OPEN
    assert week.state_on(week.week_end + timedelta(days=1)) == WeekState.IN_REVIEW
    assert HourlyWeek(week_start=last_monday(), state=WeekState.BILLED).state_on(timezone.localdate()) == "billed"


def test_the_review_window_is_a_setting(settings):
    week = HourlyWeek(week_start=last_monday())
    assert week.review_ends_on == week.week_end + timedelta(days=5)
    settings.KAMAI_HOURLY_REVIEW_DAYS = 2
    assert week.review_ends_on == week.week_end + timedelta(days=2)


# --- Approval ----------------------------------------------------------------------------------------


def test_approval_bills_the_week_once_and_the_job_then_bills_nothing():
    contract = funded_contract("500")
    log_time(contract, last_monday(), "7.5")
    week = HourlyWeek.objects.get()
    once = key()
    services.week_approve(week=week, client=contract.client, idempotency_key=once)
    week.refresh_from_db()
    assert (week.state, week.billed_minor, week.shortfall_minor) == (WeekState.BILLED, 15000, 0)
    assert week.approved_at is not None and week.billed_at is not None
    assert escrow(contract) == Decimal("350.00")
    assert wallet(contract.freelancer) == Decimal("142.50")
    assert fees() == Decimal("7.50")
    # A replay of the same request does nothing; a new approval is refused; the job finds nothing to bill.
    services.week_approve(week=week, client=contract.client, idempotency_key=once)
    with pytest.raises(InvalidTransition, match="billed"):
        services.week_approve(week=week, client=contract.client, idempotency_key=key())
    assert services.hourly_bill_due(today=last_monday() + timedelta(days=30)) == 0
    assert hourly_bills() == 1
    assert wallet(contract.freelancer) == Decimal("142.50")
    assert contract.events.filter(kind="week_billed", message__contains="approved by the client").count() == 1
    assert_ledger_clean()


def test_only_the_client_approves_and_only_a_week_in_review():
    contract = funded_contract()
    log_time(contract, timezone.localdate(), "2")
    week = HourlyWeek.objects.get()
    with pytest.raises(NotAllowed):
        services.week_approve(week=week, client=contract.freelancer, idempotency_key=key())
    with pytest.raises(InvalidTransition, match="open for logging"):
        services.week_approve(week=week, client=contract.client, idempotency_key=key())
    with pytest.raises(InvalidTransition, match="open for logging"):
        services.dispute_open(contract=contract, user=contract.client, week=week, reason="Too early")
    assert hourly_bills() == 0


def test_the_freelancer_may_send_a_week_early_and_logging_then_closes():
    contract = funded_contract()
    today = timezone.localdate()
    log_time(contract, today, "3")
    week = HourlyWeek.objects.get()
    with pytest.raises(NotAllowed):
        services.week_submit(week=week, freelancer=contract.client)
    services.week_submit(week=week, freelancer=contract.freelancer)
    week.refresh_from_db()
    assert week.state == WeekState.IN_REVIEW and week.submitted_at is not None
    with pytest.raises(InvalidTransition, match="review"):
        services.week_submit(week=week, freelancer=contract.freelancer)
    with pytest.raises(ContractError, match="closed for logging"):
        log_time(contract, today, "1")
    services.week_approve(week=week, client=contract.client, idempotency_key=key())
    assert wallet(contract.freelancer) == Decimal("57.00")
    assert_ledger_clean()


def test_an_empty_week_cannot_be_sent_for_review():
    contract = funded_contract()
    week = HourlyWeek.objects.create(contract=contract, week_start=this_monday())
    with pytest.raises(ContractError, match="Log some time"):
        services.week_submit(week=week, freelancer=contract.freelancer)


def test_time_cannot_be_logged_once_the_week_is_approved_or_over():
    contract = funded_contract()
    monday = last_monday()
    log_time(contract, monday, "2")
    # After Sunday the week is in review: closed for logging even before anyone acts.
    with pytest.raises(ContractError, match="closed for logging"):
        services.time_entry_add(
            contract=contract, freelancer=contract.freelancer, day=monday, hours=Decimal(1), memo="late"
        )
    week = HourlyWeek.objects.get()
    services.week_approve(week=week, client=contract.client, idempotency_key=key())
    with pytest.raises(ContractError, match="closed for logging"):
        log_time(contract, monday + timedelta(days=1), "1")
    assert week.entries.count() == 1


def test_approving_more_than_escrow_holds_bills_what_there_is():
    contract = funded_contract("50")
    log_time(contract, last_monday(), "5")
    week = HourlyWeek.objects.get()
    services.week_approve(week=week, client=contract.client, idempotency_key=key())
    week.refresh_from_db()
    assert (week.billed_minor, week.shortfall_minor) == (5000, 5000)
    assert escrow(contract) == 0
    assert_ledger_clean()


# --- The review window and the scheduled job ----------------------------------------------------------


def test_the_job_bills_an_unreviewed_week_after_the_window_set_in_settings(settings):
    settings.KAMAI_HOURLY_REVIEW_DAYS = 2
    contract = funded_contract("500")
    monday = last_monday()
    log_time(contract, monday, "7.5")
    assert services.hourly_bill_due(today=monday + timedelta(days=8)) == 0  # Sunday + 2: the last review day
    assert services.hourly_bill_due(today=monday + timedelta(days=9)) == 1
    week = HourlyWeek.objects.get()
    assert (week.state, week.billed_minor, week.approved_at) == (WeekState.BILLED, 15000, None)
    assert wallet(contract.freelancer) == Decimal("142.50")
    assert_ledger_clean()


def test_a_week_sent_early_is_billed_by_the_job_when_its_window_ends():
    contract = funded_contract("500")
    monday = last_monday()
    log_time(contract, monday, "1")
    week = HourlyWeek.objects.get()
    with on_day(monday):
        services.week_submit(week=week, freelancer=contract.freelancer)
    assert services.hourly_bill_due(today=monday + timedelta(days=11)) == 0
    assert services.hourly_bill_due(today=monday + timedelta(days=12)) == 1
    assert_ledger_clean()


def test_a_dispute_in_the_window_stops_billing_and_approval():
    contract = funded_contract("500")
    monday = last_monday()
    log_time(contract, monday, "5")
    week = HourlyWeek.objects.get()
    services.dispute_open(contract=contract, user=contract.client, week=week, reason="I count 3 hours")
    week.refresh_from_db()
    assert week.state == WeekState.DISPUTED
    with pytest.raises(InvalidTransition, match="in dispute"):
        services.week_approve(week=week, client=contract.client, idempotency_key=key())
    assert services.hourly_bill_due(today=monday + timedelta(days=30)) == 0
    assert hourly_bills() == 0
    assert escrow(contract) == Decimal("500.00")


def test_a_billed_week_cannot_be_disputed():
    contract = funded_contract("500")
    log_time(contract, last_monday(), "5")
    week = HourlyWeek.objects.get()
    services.week_approve(week=week, client=contract.client, idempotency_key=key())
    with pytest.raises(InvalidTransition, match="billed"):
        services.dispute_open(contract=contract, user=contract.client, week=week, reason="Changed my mind")


def test_the_contract_cannot_end_while_a_week_with_time_waits_for_review():
    contract = funded_contract("500")
    log_time(contract, last_monday(), "5")
    with pytest.raises(ContractError, match="billed"):
        services.contract_end(contract=contract, user=contract.client)
    services.week_approve(week=HourlyWeek.objects.get(), client=contract.client, idempotency_key=key())
    services.contract_end(contract=contract, user=contract.client)
    assert escrow(contract) == 0
    assert_ledger_clean()


def test_a_cancelled_contracts_week_is_not_approved_by_hand():
    contract = funded_contract("500")
    log_time(contract, last_monday(), "5")
    services.contract_cancel(contract=contract, user=contract.client, idempotency_key=key())
    with pytest.raises(ContractError, match="not active"):
        services.week_approve(week=HourlyWeek.objects.get(), client=contract.client, idempotency_key=key())
