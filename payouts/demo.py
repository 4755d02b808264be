"""Demo withdrawals for `seed_demo`: Bilal (paid in USD by the contracts demo) has a saved Meezan IBAN, one
withdrawal paid in PKR with its bank reference and PRC, and one waiting for staff. Adds today's USD/PKR rate
if there is none. Idempotent: withdrawals are found by their fixed keys."""

from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from common.iban import iban_mod97
from ledger.models import ExchangeRate, RateSource
from ledger.money import convert, to_minor
from ledger.services import freelancer_wallet_account
from payouts import services
from payouts.models import BankAccount, Withdrawal

DEMO_USD_PKR = Decimal("280.75")


def pk_iban(bank_code: str, account_number: str) -> str:
    """A Pakistani IBAN with correct check digits for a bank code and a 16-digit account number."""
    body = f"{bank_code}{account_number.zfill(16)}"
    check = 98 - iban_mod97(f"PK00{body}")
    return f"PK{check:02d}{body}"


def seed() -> str:
    bilal = User.objects.filter(email="bilal@demo.kamai.pk").first()
    staff = User.objects.filter(email="mediator@demo.kamai.pk").first()
    today = timezone.localdate()
    if not ExchangeRate.objects.filter(base_currency="USD", quote_currency="PKR", rate_date=today).exists():
        ExchangeRate.objects.create(
            base_currency="USD", quote_currency="PKR", rate=DEMO_USD_PKR, rate_date=today, source=RateSource.MANUAL
        )
    if bilal is None or staff is None or Withdrawal.objects.filter(idempotency_key="demo:bilal:1").exists():
        return ""
    wallet = freelancer_wallet_account(freelancer=bilal, currency="USD")
    if wallet.available_minor < to_minor(Decimal(300), "USD"):
        return "Withdrawals: skipped (Bilal's USD wallet has less than $300)."
    account = BankAccount.objects.filter(owner=bilal, active=True, kind="pkr").first() or services.bank_account_add(
        owner=bilal, title="Bilal Ahmed", iban=pk_iban("MEZN", "0101234567890123"), kind="pkr"
    )
    paid = services.withdrawal_request(
        freelancer=bilal, bank_account=account, currency="USD", amount=Decimal(200), idempotency_key="demo:bilal:1"
    )
    # The bank converted at a little better than the rate shown.
    realized = convert(paid.sent, DEMO_USD_PKR + Decimal("0.40"), "PKR")
    services.withdrawal_settle(
        withdrawal=paid,
        staff=staff,
        bank_reference="MEZN-FT-2026-0042117",
        realized_pkr=realized,
        prc_number=f"PRC/MEZN/{today:%Y}/118402",
        idempotency_key="demo:settle:1",
    )
    services.withdrawal_request(
        freelancer=bilal, bank_account=account, currency="USD", amount=Decimal(100), idempotency_key="demo:bilal:2"
    )
    return "Withdrawals: Bilal has one paid and one waiting for mediator@demo.kamai.pk at /staff/withdrawals/."
