import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from accounts.tests.factories import UserFactory
from contracts import services
from contracts.services import MilestoneTerms
from ledger.checks import ledger_problems
from ledger.money import from_minor
from ledger.selectors import account_balance_minor, natural_minor
from ledger.services import (
    client_funds_account,
    contract_escrow_account,
    freelancer_wallet_account,
    platform_fees_account,
)
from marketplace.tests.factories import make_client, make_freelancer


def key() -> str:
    return uuid.uuid4().hex


def balance(account) -> Decimal:
    return from_minor(
        natural_minor(account=account, signed_minor=account_balance_minor(account=account)), account.currency
    )


def wallet(user, currency="USD"):
    return balance(freelancer_wallet_account(freelancer=user, currency=currency))


def escrow(contract):
    return balance(contract_escrow_account(contract_id=contract.pk, currency=contract.currency))


def client_funds(user, currency="USD"):
    return balance(client_funds_account(client=user, currency=currency))


def fees(currency="USD"):
    return balance(platform_fees_account(currency=currency))


def assert_ledger_clean():
    assert ledger_problems() == []


def fixed_contract(*, amounts=("500", "300"), due_in_days=7, penalty_pct=Decimal(1), cap_pct=Decimal(10), **kwargs):
    client = make_client()
    freelancer = make_freelancer()
    due = date.today() + timedelta(days=due_in_days)
    return services.contract_create(
        freelancer=freelancer,
        client=client,
        title="Shop build",
        kind="fixed",
        currency="USD",
        milestones=[MilestoneTerms(f"Part {n}", Decimal(a), due) for n, a in enumerate(amounts, start=1)],
        penalty_pct_per_week=penalty_pct,
        penalty_cap_pct=cap_pct,
        accepted_by_client=True,
        **kwargs,
    )


def hourly_contract(*, rate="20", cap=10):
    return services.contract_create(
        freelancer=make_freelancer(),
        client=make_client(),
        title="Support retainer",
        kind="hourly",
        currency="USD",
        hourly_rate=Decimal(rate),
        weekly_hour_cap=cap,
        accepted_by_client=True,
    )


def stranger():
    return UserFactory()


@contextmanager
def on_day(day: date):
    """Run a block as if today were `day` (services read it from timezone.localdate())."""
    real = timezone.localdate

    def localdate(*args, **kwargs):
        return day if not args and not kwargs else real(*args, **kwargs)

    with mock.patch("django.utils.timezone.localdate", localdate):
        yield


def log_time(contract, day: date, hours="5", memo="Support tickets"):
    """Log the freelancer's time on the day itself: a week closes for logging once its Sunday has passed."""
    with on_day(day):
        return services.time_entry_add(
            contract=contract, freelancer=contract.freelancer, day=day, hours=Decimal(hours), memo=memo
        )
