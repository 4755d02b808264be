from decimal import Decimal

import pytest

from ledger import services
from ledger.errors import IdempotencyConflict, InsufficientFunds, UnbalancedTransaction
from ledger.models import Transaction
from ledger.tests.helpers import assert_sound, deposit

pytestmark = pytest.mark.django_db


def _transfer(source, target, amount, idempotency_key):
    return {
        "postings": [(source, Decimal(amount)), (target, -Decimal(amount))],
        "idempotency_key": idempotency_key,
        "kind": "test",
        "reference": f"import:{idempotency_key}",
    }


def test_a_batch_posts_everything_in_order(bank, wallet, user, other_user):
    second = services.freelancer_wallet_account(freelancer=other_user, currency="USD")
    deposit(wallet, "10.00")
    posted = services.post_transactions(
        [_transfer(wallet, second, "10.00", "b:1"), _transfer(second, wallet, "4.00", "b:2")]
    )
    assert [t.idempotency_key for t in posted] == ["b:1", "b:2"]
    wallet.refresh_from_db()
    second.refresh_from_db()
    assert (wallet.balance, second.balance) == (Decimal("4"), Decimal("6"))
    assert_sound()


def test_a_batch_is_all_or_nothing(bank, wallet, other_user):
    second = services.freelancer_wallet_account(freelancer=other_user, currency="USD")
    deposit(wallet, "10.00")
    with pytest.raises(InsufficientFunds):
        services.post_transactions([_transfer(wallet, second, "6.00", "b:1"), _transfer(wallet, second, "6.00", "b:2")])
    with pytest.raises(UnbalancedTransaction):
        services.post_transactions(
            [
                _transfer(wallet, second, "1.00", "b:3"),
                {
                    **_transfer(wallet, second, "1", "b:4"),
                    "postings": [(wallet, Decimal("1")), (second, Decimal("-2"))],
                },
            ]
        )
    assert Transaction.objects.count() == 1
    assert_sound()


def test_a_batch_replays_known_keys_and_refuses_conflicts(bank, wallet, other_user):
    second = services.freelancer_wallet_account(freelancer=other_user, currency="USD")
    deposit(wallet, "10.00")
    first = services.post_transactions([_transfer(wallet, second, "1.00", "b:1")])
    again = services.post_transactions(
        [
            _transfer(wallet, second, "1.00", "b:1"),
            _transfer(wallet, second, "2.00", "b:2"),
            _transfer(wallet, second, "2.00", "b:2"),
        ]
    )
    assert again[0].pk == first[0].pk and len(again) == 2
    with pytest.raises(IdempotencyConflict):
        services.post_transactions([_transfer(wallet, second, "5.00", "b:1")])
    with pytest.raises(IdempotencyConflict):
        services.post_transactions([_transfer(wallet, second, "1.00", "b:9"), _transfer(wallet, second, "2.00", "b:9")])
    second.refresh_from_db()
    assert second.balance == Decimal("3")
    assert_sound()
