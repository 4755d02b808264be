"""A request key stands for one request: replaying it does nothing twice, and a different request under the
same key is refused with a clear message, on the pages and in the API (issue 11, item 2)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts import services
from contracts.action_keys import request_fingerprint
from contracts.errors import ContractError
from contracts.models import ActionKey, PayIn
from contracts.tests.helpers import assert_ledger_clean, fixed_contract, hourly_contract, key
from ledger.models import Transaction

pytestmark = pytest.mark.django_db


def test_api_refuses_a_key_replayed_with_another_provider():
    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    api = APIClient()
    api.force_authenticate(contract.client)
    url = f"/api/milestones/{milestone.pk}/fund/"
    same = key()
    first = api.post(url, {"provider": "bank_transfer"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == 200
    again = api.post(url, {"provider": "bank_transfer"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert again.status_code == 200  # the same request is a harmless replay
    other = api.post(url, {"provider": "sandbox"}, format="json", HTTP_IDEMPOTENCY_KEY=same)
    assert other.status_code == 409
    assert "different request" in other.json()["detail"]
    assert PayIn.objects.filter(milestone=milestone).count() == 1
    assert PayIn.objects.get(milestone=milestone).provider == "bank_transfer"
    assert_ledger_clean()


def test_retainer_page_refuses_the_same_key_for_another_amount(client):
    contract = hourly_contract()
    client.force_login(contract.client)
    url = reverse("contracts:retainer_fund", args=[contract.pk])
    same = key()
    response = client.post(url, {"amount": "10", "provider": "sandbox", "idempotency_key": same}, follow=True)
    assert "Payment started" in response.content.decode()
    transactions = Transaction.objects.count()
    response = client.post(url, {"amount": "500", "provider": "sandbox", "idempotency_key": same}, follow=True)
    html = response.content.decode()
    assert "different request" in html and "Payment started" not in html
    assert PayIn.objects.filter(contract=contract).count() == 1
    assert PayIn.objects.get(contract=contract).amount_minor == 1000
    assert Transaction.objects.count() == transactions
    # "10.00" is the same amount as "10": a replay, not a conflict.
    response = client.post(url, {"amount": "10.00", "provider": "sandbox", "idempotency_key": same}, follow=True)
    assert "different request" not in response.content.decode()
    assert PayIn.objects.filter(contract=contract).count() == 1
    assert_ledger_clean()


def test_a_refused_action_leaves_its_key_free_and_keys_belong_to_their_user():
    contract = hourly_contract()
    same = key()
    with pytest.raises(ContractError):
        services.retainer_fund(contract=contract, client=contract.client, amount=Decimal(0), provider="sandbox",
                               idempotency_key=same)  # fmt: skip
    assert not ActionKey.objects.filter(key=same).exists()
    services.retainer_fund(
        contract=contract, client=contract.client, amount=Decimal(20), provider="sandbox", idempotency_key=same
    )
    # Another user's identical key neither replays nor blocks theirs.
    other = fixed_contract(amounts=("50",))
    payin = services.milestone_fund(
        milestone=other.milestones.get(), client=other.client, provider="sandbox", idempotency_key=same
    )
    assert payin.amount_minor == 5000
    row = ActionKey.objects.get(user=contract.client, key=same)
    assert row.fingerprint == request_fingerprint(
        action="retainer_fund", object_id=contract.pk, params={"amount": Decimal("20.00"), "provider": "sandbox"}
    )
    assert_ledger_clean()


def test_keys_live_a_day_at_least_and_old_ones_are_purged():
    from datetime import timedelta

    from django.utils import timezone

    from contracts.action_keys import KEY_RETENTION_DAYS, action_keys_purge

    contract = fixed_contract(amounts=("100",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    assert ActionKey.objects.count() == 1
    assert action_keys_purge(now=timezone.now() + timedelta(days=1)) == 0  # a day later it still answers
    assert KEY_RETENTION_DAYS >= 1
    assert action_keys_purge(now=timezone.now() + timedelta(days=KEY_RETENTION_DAYS + 1)) == 1
    assert not ActionKey.objects.exists()
