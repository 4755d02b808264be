from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from common.iban import validate_pk_iban
from ledger.models import ExchangeRate
from ledger.services import Leg, freelancer_wallet_account, platform_bank_account, post_transaction
from payouts import demo
from payouts.models import BankAccount, Withdrawal, WithdrawalState
from payouts.tests.helpers import assert_ledger_clean, wallet

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_leaves_one_paid_and_one_waiting():
    bilal = UserFactory(email="bilal@demo.kamai.pk")
    UserFactory(email="mediator@demo.kamai.pk", is_staff=True)
    post_transaction(
        [
            Leg(platform_bank_account(currency="USD"), Decimal(570)),
            Leg(freelancer_wallet_account(freelancer=bilal, currency="USD"), Decimal(-570)),
        ],
        idempotency_key="test:demo:pay-in",
        kind="test",
    )
    assert demo.seed()
    assert demo.seed() == ""
    states = sorted(Withdrawal.objects.filter(freelancer=bilal).values_list("state", flat=True))
    assert states == [WithdrawalState.REQUESTED, WithdrawalState.SETTLED]
    account = BankAccount.objects.get(owner=bilal)
    assert validate_pk_iban(account.iban) == account.iban
    assert ExchangeRate.objects.filter(base_currency="USD", rate_date=timezone.localdate()).count() == 1
    w = wallet(bilal)
    assert (w.balance, w.held, w.available) == (Decimal("370.00"), Decimal("100.00"), Decimal("270.00"))
    assert_ledger_clean()


def test_seed_without_the_demo_users_does_nothing():
    assert demo.seed() == ""
    assert not Withdrawal.objects.exists()
