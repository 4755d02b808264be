"""A mediator's decision shows where the money went: on the contract header (from the escrow's postings),
the milestone or week row, the dispute page and the wallet statement."""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory, force_login_with_mfa
from contracts import selectors, services
from contracts.models import HourlyWeek
from contracts.tests.helpers import (
    assert_ledger_clean,
    client_funds,
    escrow,
    fixed_contract,
    hourly_contract,
    key,
    log_time,
    stranger,
    wallet,
)
from ledger.services import client_funds_account, freelancer_wallet_account

pytestmark = pytest.mark.django_db


def mediator():
    return UserFactory(is_staff=True)


def fund(milestone):
    contract = milestone.contract
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())


def released_300_and_500_disputed():
    """The measured case: $300 released, then the $500 milestone disputed."""
    contract = fixed_contract(amounts=("500", "300"))
    disputed, approved = contract.milestones.all()
    fund(disputed)
    fund(approved)
    services.milestone_submit(milestone=approved, freelancer=contract.freelancer, message="Checkout works")
    services.milestone_approve(milestone=approved, client=contract.client, idempotency_key=key())
    services.milestone_submit(milestone=disputed, freelancer=contract.freelancer, message="Catalogue is in")
    dispute = services.dispute_open(
        contract=contract, user=contract.client, milestone=disputed, reason="Half the products are missing"
    )
    return contract, dispute


def split_350_150(dispute, staff):
    return services.dispute_decide(
        dispute=dispute,
        staff=staff,
        to_freelancer=Decimal(350),
        to_client=Decimal(150),
        decision="Twenty of the forty products were listed.",
    )


def figures(contract):
    got = selectors.escrow_figures(contract)
    return tuple(
        Decimal(minor) / 100
        for minor in (got.in_escrow_minor, got.released_minor, got.refunded_minor, got.frozen_minor)
    )


def test_header_figures_come_from_the_escrow_postings_including_dispute_shares():
    contract, dispute = released_300_and_500_disputed()
    # (in escrow, released, refunded, frozen)
    assert figures(contract) == (500, 300, 0, 500)
    split_350_150(dispute, mediator())
    assert figures(contract) == (0, 650, 150, 0)
    assert escrow(contract) == 0
    assert client_funds(contract.client) == Decimal(150)
    assert wallet(contract.freelancer) == Decimal("617.50")  # 650 less the 5% fee
    assert_ledger_clean()


def test_a_full_refund_by_the_mediator_and_a_freelancer_refund_count_as_refunded():
    contract = fixed_contract(amounts=("500", "200"))
    disputed, given_back = contract.milestones.all()
    fund(disputed)
    fund(given_back)
    services.milestone_refund(milestone=given_back, freelancer=contract.freelancer, idempotency_key=key())
    dispute = services.dispute_open(contract=contract, user=contract.client, milestone=disputed, reason="No work")
    dispute = services.dispute_decide(
        dispute=dispute, staff=mediator(), to_freelancer=Decimal(0), to_client=Decimal(500), decision="Nothing sent"
    )
    assert figures(contract) == (0, 0, 700, 0)
    assert selectors.dispute_outcome(dispute, "USD") == "Decided by the mediator: all $500.00 refunded to the client"
    assert_ledger_clean()


def test_contract_page_shows_the_split_on_the_header_and_the_milestone_row(client):
    contract, dispute = released_300_and_500_disputed()
    client.force_login(contract.client)
    room = unescape(client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode())
    assert "$500.00 of it frozen by an open dispute" in room

    split_350_150(dispute, mediator())
    for viewer in (contract.client, contract.freelancer):
        client.force_login(viewer)
        room = unescape(client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode())
        header = room.split("<h2>")[0]
        assert "Released</small><p><strong>$650.00" in header  # not $300.00
        assert "Refunded</small><p><strong>$150.00" in header
        assert "In escrow</small><p><strong>$0.00" in header
        assert "frozen" not in header
        assert "Split by the mediator: $350.00 to the freelancer, $150.00 refunded to the client" in room
        # The contract is complete, and the decided dispute is still one click away.
        assert reverse("contracts:dispute_detail", args=[dispute.pk]) in room


def test_dispute_page_shows_frozen_while_open_and_the_decision_once_decided(client):
    contract, dispute = released_300_and_500_disputed()
    client.force_login(contract.freelancer)
    url = reverse("contracts:dispute_detail", args=[dispute.pk])
    page = unescape(client.get(url).content.decode())
    assert "Frozen</dt><dd>$500.00" in page
    assert "Decision" not in page

    staff = mediator()
    split_350_150(dispute, staff)
    for viewer in (contract.freelancer, contract.client, staff):
        force_login_with_mfa(client, viewer)
        page = unescape(client.get(url).content.decode())
        assert "Frozen" not in page
        assert "Amount in dispute</dt><dd>$500.00" in page
        assert "Split by the mediator: $350.00 to the freelancer, $150.00 refunded to the client" in page
        assert "To the freelancer</dt><dd>$350.00" in page
        assert "Refunded to the client</dt><dd>$150.00" in page
        assert f"Mediator</dt><dd>{staff.name}" in page
        assert f"Decided on</dt><dd>{timezone.localdate():%-d %b %Y}" in page
        assert "Twenty of the forty products were listed." in page
        assert "Add evidence" not in page


def test_a_stranger_gets_404_on_an_open_or_decided_dispute(client):
    contract, dispute = released_300_and_500_disputed()
    url = reverse("contracts:dispute_detail", args=[dispute.pk])
    client.force_login(stranger())
    assert client.get(url).status_code == 404
    split_350_150(dispute, mediator())
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "mine"}).status_code == 404
    assert dispute.evidence.count() == 0


def test_wallet_statements_read_as_dispute_shares(client):
    contract, dispute = released_300_and_500_disputed()
    split_350_150(dispute, mediator())
    client.force_login(contract.freelancer)
    account = freelancer_wallet_account(freelancer=contract.freelancer, currency="USD")
    page = unescape(client.get(reverse("ledger:wallet_statement", args=[account.pk])).content.decode())
    rows = page.split("<tr>")[2:]  # the statement's rows, after the page and the table head
    share = [row for row in rows if "$332.50" in row]  # 350 less the 5% fee
    assert share and "Your share of a dispute decided by a mediator" in share[0]
    release = [row for row in rows if "$285.00" in row]  # the plain release of 300
    assert release and "dispute" not in release[0].lower()

    client.force_login(contract.client)
    account = client_funds_account(client=contract.client, currency="USD")
    page = unescape(client.get(reverse("ledger:wallet_statement", args=[account.pk])).content.decode())
    refund = [row for row in page.split("<tr>")[2:] if "$150.00" in row]
    assert refund and "Your share of a dispute decided by a mediator" in refund[0]


def test_a_disputed_week_shows_its_outcome_and_the_retainer_keeps_the_client_share(client):
    contract = hourly_contract(rate="20", cap=10)
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(200), provider="sandbox", idempotency_key=key()
    )
    monday = services.week_start_of(timezone.localdate()) - timedelta(days=7)
    log_time(contract, monday, "5")
    week = HourlyWeek.objects.get()
    dispute = services.dispute_open(contract=contract, user=contract.client, week=week, reason="Only 3 hours")
    services.dispute_decide(
        dispute=dispute, staff=mediator(), to_freelancer=Decimal(60), to_client=Decimal(40), decision="3 hours shown"
    )
    assert figures(contract) == (140, 60, 0, 0)
    client.force_login(contract.freelancer)
    room = unescape(client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode())
    assert "Split by the mediator: $60.00 to the freelancer, $40.00 stays in the client's retainer" in room
    assert reverse("contracts:dispute_detail", args=[dispute.pk]) in room
    page = unescape(client.get(reverse("contracts:dispute_detail", args=[dispute.pk])).content.decode())
    assert "Kept in the client's retainer</dt><dd>$40.00" in page
    assert_ledger_clean()


@pytest.fixture
def english_afterwards():
    """A request in Urdu leaves Urdu active in this thread; later tests expect English."""
    yield
    translation.activate("en")


def test_the_outcome_reads_in_urdu(client, english_afterwards):
    contract, dispute = released_300_and_500_disputed()
    split_350_150(dispute, mediator())
    client.cookies["django_language"] = "ur"
    client.force_login(contract.freelancer)
    room = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert "ثالث نے رقم تقسیم کی" in room and "Split by the mediator" not in room
    page = client.get(reverse("contracts:dispute_detail", args=[dispute.pk])).content.decode()
    assert "ثالث کی وجہ" in page and "Mediator's reason" not in page
    account = freelancer_wallet_account(freelancer=contract.freelancer, currency="USD")
    statement = client.get(reverse("ledger:wallet_statement", args=[account.pk])).content.decode()
    assert "ثالث کے فیصلے والے تنازع میں آپ کا حصہ" in statement
