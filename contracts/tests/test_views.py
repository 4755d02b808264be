"""The contract room through the HTTP client: a full fixed-price contract from the pages, and strangers refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import force_login_with_mfa
from contracts import services
from contracts.models import Contract, Dispute, MilestoneState, PayIn
from contracts.tests.helpers import assert_ledger_clean, escrow, fixed_contract, hourly_contract, key, stranger, wallet
from marketplace.tests.factories import make_client, make_freelancer

pytestmark = pytest.mark.django_db


def test_full_fixed_price_contract_through_pages(client, admin_user):
    freelancer = make_freelancer()
    client_user = make_client(email="buyer@example.com")
    client.force_login(freelancer)
    due = (date.today() + timedelta(days=5)).isoformat()
    response = client.post(
        reverse("contracts:contract_new"),
        {
            "client_email": "buyer@example.com",
            "title": "Landing page",
            "kind": "fixed",
            "currency": "USD",
            "review_window_days": 14,
            "penalty_pct_per_week": "1",
            "penalty_cap_pct": "10",
            "m1_title": "Design",
            "m1_amount": "200",
            "m1_due": due,
            "m2_title": "Build",
            "m2_amount": "300",
            "m2_due": due,
        },
    )
    contract = Contract.objects.get()
    assert response["Location"] == reverse("contracts:contract_detail", args=[contract.pk])
    assert contract.client == client_user  # an existing account is linked by e-mail

    client.force_login(client_user)
    assert "Landing page" in client.get(reverse("web:dashboard")).content.decode()
    client.post(reverse("contracts:contract_accept", args=[contract.pk]))
    first = contract.milestones.first()
    room = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert "Fund" in room and "Sandbox" in room
    fund_key = key()
    for _ in range(2):  # a double click
        client.post(
            reverse("contracts:milestone_fund", args=[first.pk]), {"provider": "sandbox", "idempotency_key": fund_key}
        )
    first.refresh_from_db()
    assert first.state == MilestoneState.FUNDED
    assert escrow(contract) == 200

    client.force_login(freelancer)
    upload = SimpleUploadedFile("design.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    client.post(
        reverse("contracts:milestone_submit", args=[first.pk]), {"message": "Figma and PDF attached", "file": upload}
    )
    first.refresh_from_db()
    assert first.state == MilestoneState.SUBMITTED
    delivery = first.deliveries.get()
    assert client.get(reverse("contracts:delivery_file", args=[delivery.pk])).status_code == 200

    client.force_login(client_user)
    approve = reverse("contracts:milestone_action", args=[first.pk, "approve"])
    once = key()
    page = client.post(approve, {"idempotency_key": once}).content.decode()
    assert "Release $200.00" in page and "$10.00" in page and "$190.00" in page and "cannot be undone" in page
    first.refresh_from_db()
    assert first.state == MilestoneState.SUBMITTED and wallet(freelancer) == 0  # nothing moved yet
    assert f'value="{once}"' in page  # the confirmation re-posts the same idempotency key
    client.post(approve, {"idempotency_key": once, "confirm": "1"})
    assert wallet(freelancer) == 190
    client.post(approve, {"idempotency_key": once, "confirm": "1"})
    assert wallet(freelancer) == 190

    # The second milestone by bank transfer, confirmed by staff.
    second = contract.milestones.last()
    response = client.post(
        reverse("contracts:milestone_fund", args=[second.pk]), {"provider": "bank_transfer", "idempotency_key": key()}
    )
    payin = PayIn.objects.get(milestone=second)
    assert response["Location"] == reverse("contracts:payin_detail", args=[payin.pk])
    assert payin.reference in client.get(response["Location"]).content.decode()
    force_login_with_mfa(client, admin_user)
    assert payin.reference in client.get(reverse("contracts:staff_queue")).content.decode()
    client.post(reverse("contracts:payin_confirm", args=[payin.pk]), {"bank_reference": "MEEZAN-FT-99"})
    second.refresh_from_db()
    assert second.state == MilestoneState.FUNDED

    # A dispute, evidence and a mediator's decision.
    client.force_login(freelancer)
    response = client.post(
        reverse("contracts:milestone_action", args=[second.pk, "dispute"]), {"reason": "Client went silent"}
    )
    dispute = Dispute.objects.get()
    assert response["Location"] == reverse("contracts:dispute_detail", args=[dispute.pk])
    client.post(reverse("contracts:dispute_detail", args=[dispute.pk]), {"text": "Screenshots of the finished build"})
    force_login_with_mfa(client, admin_user)
    client.post(
        reverse("contracts:dispute_decide", args=[dispute.pk]),
        {"to_freelancer": "300", "to_client": "0", "decision": "Work delivered as agreed"},
    )
    dispute.refresh_from_db()
    assert dispute.state == "decided"
    assert wallet(freelancer) == 190 + 285
    contract.refresh_from_db()
    assert contract.state == "completed"
    timeline = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert "Dispute #" in timeline and "released" in timeline
    assert_ledger_clean()


def test_contract_form_errors(client):
    client.force_login(make_freelancer())
    response = client.post(
        reverse("contracts:contract_new"),
        {
            "client_email": "x@example.com",
            "title": "T",
            "kind": "fixed",
            "currency": "USD",
            "review_window_days": 14,
            "penalty_pct_per_week": "1",
            "penalty_cap_pct": "10",
            "m1_title": "A",
            "m1_amount": "10.555",
            "m1_due": "2000-01-01",
        },
    )
    html = response.content.decode()
    assert "more decimals than USD allows" in html and "in the past" in html
    assert not Contract.objects.exists()


def test_strangers_get_404_and_non_staff_403(client):
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    from contracts import services

    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    delivery = services.milestone_submit(
        milestone=milestone,
        freelancer=contract.freelancer,
        message="x",
        file=SimpleUploadedFile("a.txt", b"hello", content_type="text/plain"),
    )
    dispute = services.dispute_open(contract=contract, user=contract.client, milestone=milestone, reason="r")
    other = stranger()
    client.force_login(other)
    for url in [
        reverse("contracts:contract_detail", args=[contract.pk]),
        reverse("contracts:milestone_submit", args=[milestone.pk]),
        reverse("contracts:terms_change", args=[contract.pk]),
        reverse("contracts:dispute_detail", args=[dispute.pk]),
        reverse("contracts:delivery_file", args=[delivery.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("contracts:milestone_fund", args=[milestone.pk]),
        reverse("contracts:milestone_action", args=[milestone.pk, "approve"]),
        reverse("contracts:contract_action", args=[contract.pk, "cancel"]),
        reverse("contracts:contract_accept", args=[contract.pk]),
    ]:
        assert client.post(url, {"idempotency_key": key(), "provider": "sandbox"}).status_code == 404, url
    assert client.get(reverse("contracts:staff_queue")).status_code == 403
    assert client.post(reverse("contracts:dispute_decide", args=[dispute.pk]), {}).status_code == 403
    # The freelancer cannot approve their own delivery through the page either.
    client.force_login(contract.freelancer)
    client.post(reverse("contracts:milestone_action", args=[milestone.pk, "approve"]), {"idempotency_key": key()})
    assert wallet(contract.freelancer) == 0
    client.logout()
    response = client.get(reverse("contracts:contract_detail", args=[contract.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_bad_delivery_file_is_refused_and_nothing_changes(client):
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    from contracts import services

    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    client.force_login(contract.freelancer)
    evil = SimpleUploadedFile("report.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 64, content_type="application/pdf")
    response = client.post(
        reverse("contracts:milestone_submit", args=[milestone.pk]), {"message": "here", "file": evil}
    )
    assert response.status_code == 200
    assert "cannot be sent" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED
    assert not milestone.deliveries.exists()


def test_invite_link_page_and_acceptance(client):
    from contracts import services

    contract = services.contract_create(
        freelancer=make_freelancer(),
        client_email="new@example.com",
        title="Retainer",
        kind="hourly",
        currency="USD",
        hourly_rate=Decimal(15),
        weekly_hour_cap=20,
    )
    url = reverse("contracts:contract_invite", args=[contract.invite_token])
    assert "Retainer" in client.get(url).content.decode()
    response = client.post(url)
    assert reverse("account_signup") in response["Location"]
    assert client.get(reverse("contracts:contract_invite", args=["tampered-token"])).status_code == 404
    newcomer = make_client(email="new@example.com")
    client.force_login(newcomer)
    # The dashboard lists it and the contract's address leads the invitee to the acceptance page.
    assert "Retainer" in client.get(reverse("web:dashboard")).content.decode()
    assert client.get(reverse("contracts:contract_detail", args=[contract.pk]))["Location"] == url
    client.post(url)
    contract.refresh_from_db()
    assert contract.state == "active" and contract.client == newcomer


def test_hourly_room_warns_about_an_empty_retainer(client):
    contract = hourly_contract()
    client.force_login(contract.freelancer)
    html = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert "retainer does not cover a full week" in html
    client.post(
        reverse("contracts:time_add", args=[contract.pk]),
        {"day": date.today().isoformat(), "hours": "2", "memo": "Calls"},
    )
    assert contract.weeks.get().entries.count() == 1


def test_contract_room_query_count_is_bounded(client, django_assert_max_num_queries):
    contract = fixed_contract(amounts=("10", "20", "30", "40", "50", "60"))
    client.force_login(contract.client)
    with django_assert_max_num_queries(40):
        client.get(reverse("contracts:contract_detail", args=[contract.pk]))


def test_terms_show_exact_percentages(client):
    contract = fixed_contract(penalty_pct=Decimal("1.25"), cap_pct=Decimal("7.5"))
    client.force_login(contract.client)
    html = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert "1.25% a week, at most 7.5%" in html


def test_contract_room_has_its_message_thread(client):
    from messaging.models import Conversation

    contract = fixed_contract(amounts=("100",))
    client.force_login(contract.freelancer)
    assert (
        "Start the conversation"
        in client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    )
    response = client.post(reverse("messaging:conversation_start"), {"contract": contract.pk})
    conversation = Conversation.objects.get(contract=contract)
    assert response["Location"] == reverse("messaging:conversation_detail", args=[conversation.pk])
    client.post(response["Location"], {"body": "Kickoff call tomorrow at 10?"})
    client.force_login(contract.client)
    room = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert "Kickoff call tomorrow at 10?" in room
    # The same button again reuses the thread; a stranger cannot start one.
    client.post(reverse("messaging:conversation_start"), {"contract": contract.pk})
    assert Conversation.objects.filter(contract=contract).count() == 1
    client.force_login(stranger())
    assert client.post(reverse("messaging:conversation_start"), {"contract": contract.pk}).status_code == 404


def test_refund_to_client_asks_first_and_states_the_money(client):
    contract = fixed_contract(amounts=("300",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    client.force_login(contract.freelancer)
    room = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert 'class="danger">Refund to client' in room
    refund = reverse("contracts:milestone_action", args=[milestone.pk, "refund"])
    once = key()
    page = client.post(refund, {"idempotency_key": once}).content.decode()
    assert "Return $300.00" in page and "cannot be undone" in page
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.FUNDED and escrow(contract) == 300
    client.post(refund, {"idempotency_key": once, "confirm": "1"})
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.REFUNDED and escrow(contract) == 0
    assert_ledger_clean()


def test_a_change_request_shows_on_the_milestone_row(client):
    contract = fixed_contract(amounts=("300",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="Done", file=None)
    client.force_login(contract.client)
    client.post(reverse("contracts:milestone_action", args=[milestone.pk, "changes"]), {"note": "Make the logo bigger"})
    room = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    row = room[room.index('<table class="stack">') : room.index("</table>")]
    assert "Changes requested" in row and "Make the logo bigger" in row
