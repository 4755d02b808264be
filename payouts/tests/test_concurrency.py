"""Real threads on PostgreSQL: simultaneous withdrawals from one wallet never overdraw it, and simultaneous
replays of one request key or one staff settlement act once."""

from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from kamai.testing import run_concurrently
from ledger.models import Hold, Transaction
from payouts import services
from payouts.errors import PayoutError
from payouts.models import Withdrawal, WithdrawalState
from payouts.tests.helpers import assert_ledger_clean, fcy_account, funded_freelancer, key, wallet

pytestmark = pytest.mark.django_db(transaction=True)


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Row-lock concurrency needs PostgreSQL (SQLite serialises all writers; CI runs PostgreSQL).")


def _hammer(n, action):
    return run_concurrently(n, action, expected=PayoutError)


def test_twenty_concurrent_withdrawals_never_overdraw():
    _postgres_only()
    freelancer = funded_freelancer("1000")  # 950.00 in the wallet
    account = fcy_account(freelancer)
    outcomes = _hammer(
        20,
        lambda i: services.withdrawal_request(
            freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("100"), idempotency_key=key()
        ),
    )
    assert outcomes.count("ok") == 9, outcomes
    assert outcomes.count("PayoutError") == 11, outcomes
    assert Withdrawal.objects.count() == 9 and Hold.objects.count() == 9
    w = wallet(freelancer)
    assert (w.balance, w.held, w.available) == (Decimal("950.00"), Decimal("900.00"), Decimal("50.00"))
    assert_ledger_clean()


def test_twenty_replays_of_one_key_withdraw_once():
    _postgres_only()
    freelancer = funded_freelancer("1000")
    account = fcy_account(freelancer)
    same = key()
    outcomes = _hammer(
        20,
        lambda i: services.withdrawal_request(
            freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("100"), idempotency_key=same
        ),
    )
    assert outcomes == ["ok"] * 20, outcomes
    assert Withdrawal.objects.count() == 1 and Hold.objects.count() == 1
    assert wallet(freelancer).held == Decimal("100.00")
    assert_ledger_clean()


def test_concurrent_settle_and_fail_resolve_once():
    _postgres_only()
    freelancer = funded_freelancer("1000")
    withdrawal = services.withdrawal_request(
        freelancer=freelancer,
        bank_account=fcy_account(freelancer),
        currency="USD",
        amount=Decimal("100"),
        idempotency_key=key(),
    )
    staff = UserFactory(is_staff=True)

    def act(i):
        if i % 2:
            services.withdrawal_fail(withdrawal=withdrawal, staff=staff, reason="bounced", idempotency_key=key())
        else:
            services.withdrawal_settle(
                withdrawal=withdrawal,
                staff=staff,
                bank_reference=f"R{i}",
                realized_pkr=None,
                prc_number="P",
                idempotency_key=key(),
            )

    outcomes = _hammer(10, act)
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("InvalidTransition") == 9, outcomes
    withdrawal.refresh_from_db()
    paid = Transaction.objects.filter(kind="withdrawal_paid").count()
    if withdrawal.state == WithdrawalState.SETTLED:
        assert paid == 1 and wallet(freelancer).balance == Decimal("850.00")
    else:
        assert paid == 0 and wallet(freelancer).available == Decimal("950.00")
    assert wallet(freelancer).held == 0
    assert_ledger_clean()
