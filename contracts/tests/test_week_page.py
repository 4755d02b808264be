"""The week page through the HTTP client: a day-by-day timesheet both sides can read, logging for the
freelancer while the week is open, and approve-and-pay (with its confirmation step) or dispute for the client."""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import force_login_with_mfa
from contracts import services
from contracts.models import HourlyWeek, WeekState
from contracts.tests.helpers import assert_ledger_clean, escrow, hourly_contract, key, log_time, stranger, wallet

pytestmark = pytest.mark.django_db


def last_monday():
    return services.week_start_of(timezone.localdate()) - timedelta(days=7)


@pytest.fixture
def week_in_review():
    """Last week, 7.5 hours at $20 over two days, with $500 in the retainer: the client's review is on."""
    contract = hourly_contract(rate="20", cap=10)
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(500), provider="sandbox", idempotency_key=key()
    )
    monday = last_monday()
    log_time(contract, monday, "5", memo="Ticket queue")
    log_time(contract, monday + timedelta(days=2), "2.5", memo="Refund e-mails")
    return HourlyWeek.objects.get()


def page(client, week) -> str:
    response = client.get(reverse("contracts:week_detail", args=[week.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_both_sides_see_the_grid_day_by_day(client, week_in_review):
    week = week_in_review
    review_ends = week.review_ends_on
    for user in (week.contract.client, week.contract.freelancer):
        client.force_login(user)
        html = page(client, week)
        assert "Ticket queue" in html and "Refund e-mails" in html
        for offset in range(7):  # every day of the week has its row, worked or not
            assert (week.week_start + timedelta(days=offset)).strftime("%a %-d %b") in html
        assert "7.5" in html and "$20.00 an hour" in html and "$150.00" in html
        assert "In the client's review" in html
        assert f"Client review ends on {review_ends.day} {review_ends.strftime('%b %Y')}" in html
        assert "unbilled weeks are paid automatically then" in html
    # Only the client is offered approval; the week is closed for logging, so the freelancer has no form.
    assert "Approve and pay" not in html and 'name="memo"' not in html
    client.force_login(week.contract.client)
    html = page(client, week)
    assert "Approve and pay $150.00" in html and "Dispute this week" in html


def test_a_stranger_gets_404_and_anonymous_goes_to_sign_in(client, week_in_review):
    url = reverse("contracts:week_detail", args=[week_in_review.pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(stranger())
    assert client.get(url).status_code == 404
    for action in ("contracts:week_approve", "contracts:week_submit", "contracts:week_time", "contracts:week_dispute"):
        assert client.post(reverse(action, args=[week_in_review.pk]), {"confirm": "1"}).status_code == 404
    assert week_in_review.contract.weeks.get().state == WeekState.OPEN


def test_a_mediator_can_read_the_week_but_not_act(client, week_in_review, admin_user):
    force_login_with_mfa(client, admin_user)
    html = page(client, week_in_review)
    assert "Ticket queue" in html and "Approve and pay" not in html
    assert client.post(reverse("contracts:week_approve", args=[week_in_review.pk]), {"confirm": "1"}).status_code == 404


def test_approve_and_pay_through_the_confirmation_page(client, week_in_review):
    week = week_in_review
    contract = week.contract
    approve = reverse("contracts:week_approve", args=[week.pk])
    client.force_login(contract.client)
    assert client.get(approve).status_code == 405  # no writes on GET
    once = key()
    confirm = unescape(client.post(approve, {"idempotency_key": once}).content.decode())
    assert "Pay $150.00 from escrow to" in confirm and "$7.50" in confirm and "$142.50" in confirm
    assert "cannot be undone" in confirm and f'value="{once}"' in confirm
    week.refresh_from_db()
    assert week.state == WeekState.OPEN and wallet(contract.freelancer) == 0  # nothing moved yet
    response = client.post(approve, {"idempotency_key": once, "confirm": "1"})
    assert response["Location"] == reverse("contracts:week_detail", args=[week.pk])
    client.post(approve, {"idempotency_key": once, "confirm": "1"})  # a double click
    week.refresh_from_db()
    assert week.state == WeekState.BILLED
    assert wallet(contract.freelancer) == Decimal("142.50") and escrow(contract) == Decimal("350.00")
    html = page(client, week)
    assert "Approved by the client and paid on" in html and "Approve and pay" not in html
    assert_ledger_clean()


def test_approval_needs_the_csrf_token(week_in_review):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(week_in_review.contract.client)
    html = browser.get(reverse("contracts:week_detail", args=[week_in_review.pk])).content.decode()
    form = html.split(reverse("contracts:week_approve", args=[week_in_review.pk]))[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken"' in form and 'name="idempotency_key"' in form
    response = browser.post(
        reverse("contracts:week_approve", args=[week_in_review.pk]), {"idempotency_key": key(), "confirm": "1"}
    )
    assert response.status_code == 403
    week_in_review.refresh_from_db()
    assert week_in_review.state == WeekState.OPEN


def test_dispute_from_the_week_page(client, week_in_review):
    week = week_in_review
    client.force_login(week.contract.client)
    response = client.post(reverse("contracts:week_dispute", args=[week.pk]), {"reason": "I count 5 hours"})
    dispute = week.disputes.get()
    assert response["Location"] == reverse("contracts:dispute_detail", args=[dispute.pk])
    html = page(client, week)
    assert "In dispute" in html and "Approve and pay" not in html


def test_the_freelancer_logs_time_on_the_week_page_and_sends_it_early(client):
    contract = hourly_contract(rate="20", cap=10)
    today = timezone.localdate()
    log_time(contract, today, "1")
    week = HourlyWeek.objects.get()
    client.force_login(contract.freelancer)
    html = page(client, week)
    assert 'name="memo"' in html and "Send this week for review now" in html
    client.post(
        reverse("contracts:week_time", args=[week.pk]), {"day": today.isoformat(), "hours": "1.5", "memo": "Calls"}
    )
    assert week.entries.count() == 2
    # A day outside this week is not one of the choices.
    client.post(
        reverse("contracts:week_time", args=[week.pk]),
        {"day": (week.week_start - timedelta(days=1)).isoformat(), "hours": "1", "memo": "x"},
    )
    assert HourlyWeek.objects.count() == 1 and week.entries.count() == 2
    client.post(reverse("contracts:week_submit", args=[week.pk]))
    week.refresh_from_db()
    assert week.state == WeekState.IN_REVIEW
    html = page(client, week)
    assert 'name="memo"' not in html and "Send this week for review now" not in html
    client.force_login(contract.client)
    assert "Approve and pay $50.00" in page(client, week)


def test_the_contract_room_lists_weeks_newest_first_with_links(client, week_in_review):
    contract = week_in_review.contract
    log_time(contract, timezone.localdate(), "1")
    this_week = contract.weeks.exclude(pk=week_in_review.pk).get()
    client.force_login(contract.client)
    room = unescape(client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode())
    newest, older = (
        reverse("contracts:week_detail", args=[this_week.pk]),
        reverse("contracts:week_detail", args=[week_in_review.pk]),
    )
    assert newest in room and older in room and room.index(newest) < room.index(older)
    assert "In the client's review" in room and "Open for logging" in room and "Review the week" in room


def test_week_page_query_count_is_bounded(client, week_in_review, django_assert_max_num_queries):
    client.force_login(week_in_review.contract.client)
    with django_assert_max_num_queries(30):
        client.get(reverse("contracts:week_detail", args=[week_in_review.pk]))


def test_the_demo_hourly_contract_has_a_week_in_review(client):
    import os

    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    oliver = User.objects.get(email="oliver@demo-client.example")
    week = HourlyWeek.objects.get(contract__title="Customer support (hourly)", week_start=last_monday())
    client.force_login(oliver)
    room = client.get(reverse("contracts:contract_detail", args=[week.contract_id])).content.decode()
    assert reverse("contracts:week_detail", args=[week.pk]) in room
    html = page(client, week)
    assert "Launch-day chat" in html and "13" in html and "Approve and pay $104.00" in html


def test_the_clients_dashboard_asks_for_the_week_in_review(client, week_in_review):
    client.force_login(week_in_review.contract.client)
    assert "approve or dispute a week of hours" in client.get(reverse("web:dashboard")).content.decode()
    services.week_approve(week=week_in_review, client=week_in_review.contract.client, idempotency_key=key())
    assert "approve or dispute a week of hours" not in client.get(reverse("web:dashboard")).content.decode()


def test_the_freelancer_cannot_approve_their_own_week(client, week_in_review):
    client.force_login(week_in_review.contract.freelancer)
    response = client.post(reverse("contracts:week_approve", args=[week_in_review.pk]), {"idempotency_key": key()})
    assert response.status_code == 302  # refused with a message, no confirmation page offered
    week_in_review.refresh_from_db()
    assert week_in_review.state == WeekState.OPEN and hourly_bill_count() == 0


def hourly_bill_count():
    from ledger.models import Transaction

    return Transaction.objects.filter(kind="hourly_bill").count()


def test_the_confirmation_says_what_a_short_retainer_can_pay(client):
    contract = hourly_contract(rate="20", cap=10)
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(50), provider="sandbox", idempotency_key=key()
    )
    log_time(contract, last_monday(), "5")
    week = HourlyWeek.objects.get()
    client.force_login(contract.client)
    response = client.post(reverse("contracts:week_approve", args=[week.pk]), {"idempotency_key": key()})
    confirm = unescape(response.content.decode())
    assert "Pay $50.00 from escrow" in confirm and "Escrow holds only $50.00: $50.00 stays unpaid" in confirm
