from dataclasses import replace
from decimal import Decimal

import pytest

from ledger import chart, services
from ledger.errors import CurrencyMismatch, HoldError, IdempotencyConflict, InsufficientFunds
from ledger.models import Hold, HoldStatus, Transaction
from ledger.tests.helpers import assert_sound, deposit, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def payouts(db):
    return services.platform_payouts_account(currency="USD")


def _withdraw(wallet, payouts, amount, idempotency_key=None):
    return services.hold(
        debit_account=wallet,
        credit_account=payouts,
        amount=Decimal(amount),
        idempotency_key=idempotency_key or key("withdrawal"),
        kind="withdrawal",
        reference="withdrawal:1",
    )


def test_a_hold_reserves_funds_without_moving_them(wallet, payouts):
    deposit(wallet, "100.00")
    held = _withdraw(wallet, payouts, "60.00")
    wallet.refresh_from_db()
    assert held.status == HoldStatus.PENDING
    assert (wallet.balance, wallet.held, wallet.available) == (Decimal("100"), Decimal("60"), Decimal("40"))
    with pytest.raises(InsufficientFunds, match="cannot hold"):
        _withdraw(wallet, payouts, "40.01")
    with pytest.raises(InsufficientFunds, match="would go below zero"):
        services.post_transaction(
            [(wallet, Decimal("40.01")), (payouts, Decimal("-40.01"))], idempotency_key=key(), kind="withdrawal"
        )
    assert_sound()


def test_settling_posts_the_transfer_and_releases_the_reservation(wallet, payouts, bank):
    deposit(wallet, "100.00")
    held = _withdraw(wallet, payouts, "60.00")
    posted = services.settle_hold(held)
    wallet.refresh_from_db()
    payouts.refresh_from_db()
    assert (wallet.balance, wallet.held) == (Decimal("40"), 0)
    assert payouts.balance == Decimal("60")
    assert services.settle_hold(held).pk == posted.pk
    held.refresh_from_db()
    assert held.status == HoldStatus.SETTLED and held.settlement_id == posted.pk
    with pytest.raises(HoldError, match="only a pending hold can be voided"):
        services.void_hold(held)
    # The bank pays it out: the second half of the MONEY.md recipe.
    services.post_transaction(
        [(payouts, Decimal("60.00")), (bank, Decimal("-60.00"))], idempotency_key=key(), kind="test"
    )
    assert_sound()


def test_a_partial_settlement_releases_the_whole_hold(wallet, payouts):
    deposit(wallet, "100.00")
    held = _withdraw(wallet, payouts, "60.00")
    services.settle_hold(held, amount=Decimal("25.00"))
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.held, wallet.available) == (Decimal("75"), 0, Decimal("75"))
    assert_sound()


def test_settling_for_more_than_held_is_refused(wallet, payouts):
    deposit(wallet, "100.00")
    held = _withdraw(wallet, payouts, "60.00")
    with pytest.raises(HoldError, match="up to it"):
        services.settle_hold(held, amount=Decimal("60.01"))
    assert Transaction.objects.count() == 1


def test_voiding_moves_nothing(wallet, payouts):
    deposit(wallet, "100.00")
    held = _withdraw(wallet, payouts, "60.00")
    services.void_hold(held)
    services.void_hold(held)
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.held) == (Decimal("100"), 0)
    with pytest.raises(HoldError, match="only a pending hold can be settled"):
        services.settle_hold(held)
    assert Transaction.objects.count() == 1
    assert_sound()


def test_hold_idempotency(wallet, payouts):
    deposit(wallet, "100.00")
    first = _withdraw(wallet, payouts, "10.00", idempotency_key="w:1")
    assert _withdraw(wallet, payouts, "10.00", idempotency_key="w:1").pk == first.pk
    with pytest.raises(IdempotencyConflict):
        _withdraw(wallet, payouts, "11.00", idempotency_key="w:1")
    assert Hold.objects.count() == 1
    wallet.refresh_from_db()
    assert wallet.held == Decimal("10")


def test_a_hold_stays_in_one_currency(wallet, user):
    pkr = services.platform_payouts_account(currency="PKR")
    with pytest.raises(CurrencyMismatch):
        _withdraw(wallet, pkr, "1.00")


def test_a_hold_on_an_asset_reserves_the_asset_side(user):
    cash = services.personal_account(user=user, spec=replace(chart.cash(user.pk, "wise", "USD"), no_negative=True))
    expense = services.personal_account(user=user, spec=chart.expense(user.pk, "software", "USD"))
    income = services.personal_account(user=user, spec=chart.income(user.pk, "direct", "USD"))
    services.post_transaction([(cash, Decimal("50")), (income, Decimal("-50"))], idempotency_key=key(), kind="test")
    held = services.hold(
        debit_account=expense, credit_account=cash, amount=Decimal("20"), idempotency_key=key(), kind="books_expense"
    )
    cash.refresh_from_db()
    assert (cash.held, cash.available) == (Decimal("20"), Decimal("30"))
    services.settle_hold(held)
    cash.refresh_from_db()
    assert (cash.balance, cash.held) == (Decimal("30"), 0)
    assert_sound()
