from decimal import Decimal

import pytest

from ledger import chart, services
from ledger.errors import (
    BookMismatch,
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPostings,
    LedgerError,
    UnbalancedTransaction,
    UnknownAccount,
)
from ledger.models import Account, Posting, Transaction
from ledger.money import MoneyError
from ledger.services import Leg
from ledger.tests.helpers import assert_sound, deposit, key

pytestmark = pytest.mark.django_db


def test_a_balanced_transaction_moves_cached_balances(bank, wallet):
    posted = services.post_transaction(
        [Leg(bank, Decimal("100.00")), Leg(wallet, Decimal("-100.00"))],
        idempotency_key="pay-in:1",
        kind="test",
        memo="Client paid in",
        reference="payment:1",
    )
    bank.refresh_from_db()
    wallet.refresh_from_db()
    assert bank.balance_minor == 10000 and bank.balance == Decimal("100.00")
    assert wallet.balance_minor == -10000 and wallet.balance == Decimal("100.00")
    assert sorted(p.amount_minor for p in posted.postings.all()) == [-10000, 10000]
    assert posted.reference == "payment:1" and posted.memo == "Client paid in"
    assert_sound()


def test_accounts_may_be_given_by_code_or_id(bank, wallet):
    services.post_transaction(
        [(bank.code, Decimal("5")), (wallet.pk, Decimal("-5"))], idempotency_key=key(), kind="test"
    )
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("5.00")


def test_replaying_the_same_key_and_content_returns_the_original(bank, wallet):
    first = deposit(wallet, "10.00", idempotency_key="once")
    again = deposit(wallet, "10.00", idempotency_key="once")
    assert again.pk == first.pk
    assert Transaction.objects.count() == 1
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("10.00")


def test_reusing_a_key_for_different_content_is_refused(bank, wallet):
    deposit(wallet, "10.00", idempotency_key="once")
    with pytest.raises(IdempotencyConflict, match="already used"):
        deposit(wallet, "11.00", idempotency_key="once")
    assert Transaction.objects.count() == 1


def test_a_no_negative_account_cannot_be_overdrawn(bank, wallet, user):
    deposit(wallet, "10.00")
    payouts = services.platform_payouts_account(currency="USD")
    with pytest.raises(InsufficientFunds, match=r"freelancer:\d+:wallet:USD would go below zero"):
        services.post_transaction(
            [(wallet, Decimal("10.01")), (payouts, Decimal("-10.01"))], idempotency_key=key(), kind="withdrawal"
        )
    services.post_transaction(
        [(wallet, Decimal("10.00")), (payouts, Decimal("-10.00"))], idempotency_key=key(), kind="withdrawal"
    )
    wallet.refresh_from_db()
    assert wallet.balance == 0
    assert_sound()


def test_accounts_without_the_flag_may_go_negative(bank):
    fees = services.platform_fees_account(currency="USD")
    services.post_transaction([(fees, Decimal("3")), (bank, Decimal("-3"))], idempotency_key=key(), kind="test")
    bank.refresh_from_db()
    assert bank.balance == Decimal("-3.00")


def _bad(bank, wallet, pkr_account):
    return {
        "unbalanced": ([(bank, Decimal("10")), (wallet, Decimal("-9.99"))], UnbalancedTransaction, "off by"),
        "too many decimals": ([(bank, Decimal("1.005")), (wallet, Decimal("-1.005"))], MoneyError, "1.005 has more"),
        "mixed currencies": (
            [(bank, Decimal("10")), (pkr_account, Decimal("-2800"))],
            CurrencyMismatch,
            "convert through the FX clearing accounts",
        ),
        "declared currency differs": (
            [Leg(bank, Decimal("1"), "PKR"), Leg(wallet, Decimal("-1"), "PKR")],
            CurrencyMismatch,
            "is in USD, not PKR",
        ),
        "unknown currency": ([Leg(bank, Decimal("1"), "XXX"), Leg(wallet, Decimal("-1"))], MoneyError, "Unknown"),
        "one leg": ([(bank, Decimal("0"))], InvalidPostings, "at least two"),
        "zero leg": ([(bank, Decimal("0")), (wallet, Decimal("0"))], InvalidPostings, "zero amount"),
        "unknown account": ([("nope", Decimal("1")), (wallet, Decimal("-1"))], UnknownAccount, "No account"),
        "float amount": ([(bank, 1.5), (wallet, -1.5)], MoneyError, "not float"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "unbalanced",
        "too many decimals",
        "mixed currencies",
        "declared currency differs",
        "unknown currency",
        "one leg",
        "zero leg",
        "unknown account",
        "float amount",
    ],
)
def test_bad_input_raises_a_clear_domain_error_and_writes_nothing(bank, wallet, user, case):
    pkr_account = services.freelancer_wallet_account(freelancer=user, currency="PKR")
    postings, error, message = _bad(bank, wallet, pkr_account)[case]
    with pytest.raises(error, match=message) as raised:
        services.post_transaction(postings, idempotency_key=key(), kind="test")
    assert isinstance(raised.value, LedgerError)
    assert Transaction.objects.count() == 0 and Posting.objects.count() == 0
    assert set(Account.objects.values_list("balance_minor", flat=True)) == {0}


def test_books_cannot_be_mixed(bank, user):
    cash = services.personal_account(user=user, spec=chart.cash(user.pk, "payoneer", "USD"))
    with pytest.raises(BookMismatch):
        services.post_transaction([(bank, Decimal("1")), (cash, Decimal("-1"))], idempotency_key=key(), kind="test")


def test_an_idempotency_key_is_required(bank, wallet):
    with pytest.raises(InvalidPostings, match="idempotency key"):
        services.post_transaction([(bank, Decimal("1")), (wallet, Decimal("-1"))], idempotency_key="", kind="test")


def test_a_reversal_is_a_new_transaction_that_negates_the_original(bank, wallet):
    original = deposit(wallet, "25.00")
    reversal = services.reverse_transaction(original=original)
    assert reversal.reverses_id == original.pk and reversal.pk != original.pk
    wallet.refresh_from_db()
    bank.refresh_from_db()
    assert wallet.balance_minor == 0 and bank.balance_minor == 0
    assert Posting.objects.filter(transaction=original).count() == 2
    assert services.reverse_transaction(original=original).pk == reversal.pk
    assert_sound()


def test_account_helpers_are_get_or_create_and_check_their_shape(user):
    assert services.freelancer_wallet_account(freelancer=user, currency="PKR").pk == (
        services.freelancer_wallet_account(freelancer=user, currency="PKR").pk
    )
    escrow = services.contract_escrow_account(contract_id=7, currency="USD")
    assert escrow.code == "contract:7:escrow:USD" and escrow.no_negative and escrow.owner_ref == "contract:7"
    assert services.client_funds_account(client=user, currency="USD").code == f"client:{user.pk}:funds:USD"
    assert services.fx_clearing_account(currency="PKR").code == "platform:fx:PKR"
    with pytest.raises(UnknownAccount, match="exists as"):
        services.account_get_or_create(code=escrow.code, book="platform", kind="asset", currency="USD")


def test_the_escrow_recipe_from_money_md(user, other_user):
    client, freelancer = user, other_user
    funds = services.client_funds_account(client=client, currency="USD")
    escrow = services.contract_escrow_account(contract_id=1, currency="USD")
    wallet = services.freelancer_wallet_account(freelancer=freelancer, currency="USD")
    fees = services.platform_fees_account(currency="USD")
    deposit(funds, "500.00")
    services.post_transaction(
        [(funds, Decimal("500.00")), (escrow, Decimal("-500.00"))], idempotency_key="fund:1", kind="escrow_fund"
    )
    services.post_transaction(
        [(escrow, Decimal("500.00")), (wallet, Decimal("-450.00")), (fees, Decimal("-50.00"))],
        idempotency_key="release:1",
        kind="escrow_release",
        reference="milestone:1",
    )
    for account in (funds, escrow, wallet, fees):
        account.refresh_from_db()
    assert (funds.balance, escrow.balance, wallet.balance, fees.balance) == (0, 0, Decimal("450"), Decimal("50"))
    assert_sound()


def test_a_replay_returns_the_original_even_when_the_funds_are_gone(bank, wallet):
    deposit(wallet, "10.00")
    payouts = services.platform_payouts_account(currency="USD")
    legs = [(wallet, Decimal("10.00")), (payouts, Decimal("-10.00"))]
    first = services.post_transaction(legs, idempotency_key="withdraw:1", kind="withdrawal")
    assert services.post_transaction(legs, idempotency_key="withdraw:1", kind="withdrawal").pk == first.pk
    wallet.refresh_from_db()
    assert wallet.balance == 0


def test_a_replay_inside_the_callers_transaction(bank, wallet):
    from django.db import transaction

    with transaction.atomic():
        first = deposit(wallet, "3.00", idempotency_key="nested")
        assert deposit(wallet, "3.00", idempotency_key="nested").pk == first.pk
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("3.00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "", "Unknown transaction kind"),
        ("kind", "made_up", "Unknown transaction kind"),
        ("memo", "m" * 256, "memo is at most 255"),
        ("reference", "r" * 121, "at most 120"),
    ],
)
def test_text_fields_are_checked_before_writing(bank, wallet, field, value, message):
    arguments = {"idempotency_key": key(), "kind": "test", field: value}
    with pytest.raises(InvalidPostings, match=message):
        services.post_transaction([(bank, Decimal("1")), (wallet, Decimal("-1"))], **arguments)
    assert Transaction.objects.count() == 0


def test_the_returned_transaction_is_a_saved_immutable_row(bank, wallet):
    posted = deposit(wallet, "1.00")
    assert Transaction.objects.get(pk=posted.pk).fingerprint == posted.fingerprint
    from ledger.errors import ImmutableRecord

    with pytest.raises(ImmutableRecord):
        posted.save()


def test_the_fingerprint_of_given_content_never_changes():
    """Fingerprints are stored with every transaction: a replay after an upgrade must compute the same one."""
    from ledger.services.preparing import _fingerprint

    payload = {
        "kind": "escrow_release",
        "memo": "Milestone approved — ٹیسٹ",
        "reference": "milestone:7",
        "legs": sorted([(12, 10000), (3, -9000), (5, -1000)]),
        "reverses": None,
        "fx": {"rate": str(Decimal("278.45500000")), "exchange_rate_id": "4"},
    }
    assert _fingerprint(payload) == "0c24556fcfe7eea421fcf546b90babb5dc1ab07b368bdb352683a534fd4ed795"
