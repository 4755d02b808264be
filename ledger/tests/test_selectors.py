from decimal import Decimal

import pytest
from django.utils import timezone

from ledger import selectors, services
from ledger.tests.helpers import deposit, key

pytestmark = pytest.mark.django_db


def test_balance_as_of_a_time(wallet):
    deposit(wallet, "10.00")
    between = timezone.now()
    deposit(wallet, "5.00")
    assert selectors.account_balance(account=wallet, as_of=between) == Decimal("10.00")
    assert selectors.account_balance(account=wallet) == Decimal("15.00")
    assert selectors.account_balance_minor(account=wallet) == -1500


def test_statement_running_balance_and_opening(wallet):
    deposit(wallet, "10.00")
    start = timezone.now()
    deposit(wallet, "5.00")
    payouts = services.platform_payouts_account(currency="USD")
    services.post_transaction([(wallet, Decimal("3")), (payouts, Decimal("-3"))], idempotency_key=key(), kind="test")
    opening, postings = selectors.account_statement(account=wallet)
    assert opening == 0 and [p.running_minor for p in postings] == [-1000, -1500, -1200]
    opening, postings = selectors.account_statement(account=wallet, start=start)
    assert opening == -1000 and [opening + p.running_minor for p in postings] == [-1500, -1200]
    assert [p.running_minor for p in postings[1:]] == [-200]  # the window sum is computed before slicing


def test_trial_balance_debits_equal_credits(wallet, user):
    deposit(wallet, "10.00")
    funds = services.client_funds_account(client=user, currency="PKR")
    deposit(funds, "2500.00")
    groups = {(g.book, g.currency): g for g in selectors.trial_balance()}
    assert set(groups) == {("platform", "USD"), ("platform", "PKR")}
    assert all(g.balanced for g in groups.values())
    assert groups["platform", "PKR"].debit == Decimal("2500.00")
    assert selectors.trial_balance(book="personal:1") == []


def test_user_balances_lists_only_their_accounts(user, other_user):
    services.freelancer_wallet_account(freelancer=user, currency="USD")
    services.freelancer_wallet_account(freelancer=other_user, currency="USD")
    assert [line.account.owner_id for line in selectors.user_balances(user=user)] == [user.pk]
