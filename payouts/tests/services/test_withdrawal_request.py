from decimal import Decimal

import pytest

from ledger.models import Hold, HoldStatus, Transaction
from payouts import services
from payouts.errors import NotAllowed, PayoutError
from payouts.models import Withdrawal, WithdrawalState
from payouts.tests.helpers import (
    assert_ledger_clean,
    fcy_account,
    funded_freelancer,
    key,
    make_iban,
    pkr_account,
    usd_pkr_rate,
    wallet,
)

pytestmark = pytest.mark.django_db


def test_request_holds_the_amount_and_shows_the_rate():
    freelancer = funded_freelancer("1000")  # wallet 950.00
    usd_pkr_rate("280.00", days_ago=3)
    rate = usd_pkr_rate("281.50")
    account = pkr_account(freelancer)
    withdrawal = services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("200"), idempotency_key=key()
    )
    assert withdrawal.state == WithdrawalState.REQUESTED
    assert withdrawal.amount == Decimal("200.00") and withdrawal.fee == Decimal("1.00")
    assert withdrawal.payout_currency == "PKR"
    assert withdrawal.exchange_rate == rate and withdrawal.rate_shown == Decimal("281.5")
    assert withdrawal.expected_payout == Decimal("56018.50")  # 199 × 281.50
    assert withdrawal.hold.status == HoldStatus.PENDING
    w = wallet(freelancer)
    assert w.available == Decimal("750.00") and w.held == Decimal("200.00") and w.balance == Decimal("950.00")
    assert not Transaction.objects.filter(kind__startswith="withdrawal").exists()
    assert_ledger_clean()


def test_fcy_withdrawal_needs_no_rate():
    freelancer = funded_freelancer("1000")
    account = fcy_account(freelancer, "USD")
    withdrawal = services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("50"), idempotency_key=key()
    )
    assert withdrawal.payout_currency == "USD" and withdrawal.rate_shown is None
    assert withdrawal.expected_payout == Decimal("49.00")


def test_fcy_account_in_another_currency_is_refused():
    freelancer = funded_freelancer("1000")
    account = fcy_account(freelancer, "EUR")
    with pytest.raises(PayoutError, match="takes EUR only"):
        services.withdrawal_request(
            freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("50"), idempotency_key=key()
        )
    assert not Withdrawal.objects.exists()


def test_pkr_withdrawal_without_a_rate_is_unavailable():
    freelancer = funded_freelancer("1000")
    with pytest.raises(PayoutError, match="no USD to PKR rate"):
        services.withdrawal_request(
            freelancer=freelancer,
            bank_account=pkr_account(freelancer),
            currency="USD",
            amount=Decimal("50"),
            idempotency_key=key(),
        )
    assert not Withdrawal.objects.exists() and not Hold.objects.exists()


def test_below_minimum_is_refused_and_nothing_saved(settings):
    settings.KAMAI_MIN_WITHDRAWAL = {"USD": "25"}
    freelancer = funded_freelancer("1000")
    usd_pkr_rate()
    with pytest.raises(PayoutError, match=r"The least you can withdraw is \$25\.00"):
        services.withdrawal_request(
            freelancer=freelancer,
            bank_account=pkr_account(freelancer),
            currency="USD",
            amount=Decimal("24.99"),
            idempotency_key=key(),
        )
    assert not Withdrawal.objects.exists() and not Hold.objects.exists()
    assert wallet(freelancer).held == 0


def test_over_available_is_refused_and_nothing_saved():
    freelancer = funded_freelancer("1000")
    usd_pkr_rate()
    account = pkr_account(freelancer)
    services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("900"), idempotency_key=key()
    )
    with pytest.raises(PayoutError, match=r"at most \$50\.00"):
        services.withdrawal_request(
            freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("50.01"), idempotency_key=key()
        )
    assert Withdrawal.objects.count() == 1 and Hold.objects.count() == 1
    assert wallet(freelancer).available == Decimal("50.00")
    assert_ledger_clean()


def test_too_many_decimals_is_refused():
    freelancer = funded_freelancer("1000")
    with pytest.raises(PayoutError, match="more decimals"):
        services.withdrawal_request(
            freelancer=freelancer,
            bank_account=fcy_account(freelancer),
            currency="USD",
            amount=Decimal("20.001"),
            idempotency_key=key(),
        )


def test_same_key_twice_withdraws_once():
    freelancer = funded_freelancer("1000")
    usd_pkr_rate()
    account = pkr_account(freelancer)
    same = key()
    first = services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("100"), idempotency_key=same
    )
    again = services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("100"), idempotency_key=same
    )
    assert again.pk == first.pk
    assert Withdrawal.objects.count() == 1 and Hold.objects.count() == 1
    assert wallet(freelancer).held == Decimal("100.00")
    with pytest.raises(PayoutError, match="already used"):
        services.withdrawal_request(
            freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("150"), idempotency_key=same
        )


def test_missing_key_is_refused():
    freelancer = funded_freelancer("1000")
    with pytest.raises(PayoutError, match="request key"):
        services.withdrawal_request(
            freelancer=freelancer,
            bank_account=fcy_account(freelancer),
            currency="USD",
            amount=Decimal("20"),
            idempotency_key="",
        )


def test_someone_elses_bank_account_is_refused():
    freelancer = funded_freelancer("1000")
    other = funded_freelancer("500")
    with pytest.raises(NotAllowed):
        services.withdrawal_request(
            freelancer=freelancer,
            bank_account=fcy_account(other),
            currency="USD",
            amount=Decimal("20"),
            idempotency_key=key(),
        )
    assert not Withdrawal.objects.exists()


def test_bank_account_rules():
    freelancer = funded_freelancer("1000")
    account = pkr_account(freelancer, title="Bilal Ahmed")
    assert account.bank_name == "Meezan Bank" and account.currency == "PKR"
    with pytest.raises(PayoutError, match="already saved"):
        pkr_account(freelancer)
    with pytest.raises(PayoutError, match="check digits"):
        pkr_account(freelancer, iban="PK00MEZN0101234567890123")
    with pytest.raises(PayoutError, match="bank's name"):
        pkr_account(freelancer, iban=make_iban("ZZZZ"))
    assert pkr_account(freelancer, iban=make_iban("ZZZZ"), bank_name="Zeta Bank").bank_name == "Zeta Bank"


def test_account_with_a_withdrawal_on_its_way_cannot_be_removed():
    freelancer = funded_freelancer("1000")
    account = fcy_account(freelancer)
    services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("20"), idempotency_key=key()
    )
    with pytest.raises(PayoutError, match="on its way"):
        services.bank_account_remove(owner=freelancer, bank_account=account)
