import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contracts import services as contract_services
from contracts.services import MilestoneTerms
from ledger.checks import ledger_problems
from ledger.models import Account, ExchangeRate
from ledger.services import freelancer_wallet_account
from marketplace.tests.factories import make_client, make_freelancer
from payouts import services


def key() -> str:
    return uuid.uuid4().hex


def make_iban(bank_code: str = "MEZN", account: str = "0101234567890123") -> str:
    """A real Pakistani IBAN: check digits 98 − (mod-97 of the IBAN with "00" as its check digits)."""
    body = f"{bank_code}{account}"
    digits = "".join(str(int(ch, 36)) for ch in f"{body}PK00")
    return f"PK{98 - int(digits) % 97:02d}{body}"


def funded_freelancer(amount: str = "1000"):
    """A freelancer paid through a sandbox-funded, approved milestone: the wallet holds amount minus 5%."""
    contract = contract_services.contract_create(
        freelancer=make_freelancer(),
        client=make_client(),
        title="Shop build",
        kind="fixed",
        currency="USD",
        milestones=[MilestoneTerms("Part 1", Decimal(amount), timezone.localdate() + timedelta(days=7))],
        accepted_by_client=True,
    )
    milestone = contract.milestones.get()
    contract_services.milestone_fund(
        milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key()
    )
    contract_services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
    contract_services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    return contract.freelancer


def usd_pkr_rate(rate: str = "280.00", days_ago: int = 0) -> ExchangeRate:
    return ExchangeRate.objects.create(
        base_currency="USD",
        quote_currency="PKR",
        rate=Decimal(rate),
        rate_date=timezone.localdate() - timedelta(days=days_ago),
    )


def pkr_account(user, **kwargs):
    return services.bank_account_add(
        owner=user, title=kwargs.pop("title", "Test Holder"), iban=kwargs.pop("iban", make_iban()), kind="pkr", **kwargs
    )


def fcy_account(user, currency="USD", **kwargs):
    return services.bank_account_add(
        owner=user,
        title="Test Holder",
        iban=kwargs.pop("iban", make_iban("HABB", "0000001234567801")),
        kind="fcy",
        currency=currency,
        **kwargs,
    )


def wallet(user, currency="USD") -> Account:
    return freelancer_wallet_account(freelancer=user, currency=currency)


def assert_ledger_clean():
    assert ledger_problems() == []
