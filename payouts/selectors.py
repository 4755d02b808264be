"""Reads for the withdrawal pages: wallets with what can be withdrawn, the rate that would be shown, a
freelancer's bank accounts and withdrawals, and the staff queue."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ledger import chart
from ledger.errors import ExchangeRateError
from ledger.fx import exchange_rate_on
from ledger.models import PLATFORM_BOOK, Account, ExchangeRate
from ledger.money import from_minor
from ledger.selectors import user_accounts
from payouts.fees import minimum_withdrawal_minor, withdrawal_fee_minor
from payouts.models import BankAccount, Withdrawal, WithdrawalState


def pkr_rate(currency: str) -> ExchangeRate | None:
    """The latest published rate to PKR for the currency (the one shown and applied), or None."""
    if currency == "PKR":
        return None
    try:
        return exchange_rate_on(base=currency, quote="PKR", on=timezone.localdate())
    except ExchangeRateError:
        return None


@dataclass(frozen=True)
class WalletLine:
    account: Account
    currency: str
    available_minor: int
    held_minor: int
    minimum_minor: int
    fee_minor: int
    rate: ExchangeRate | None

    @property
    def available(self):
        return from_minor(self.available_minor, self.currency)

    @property
    def held(self):
        return from_minor(self.held_minor, self.currency)

    @property
    def minimum(self):
        return from_minor(self.minimum_minor, self.currency)

    @property
    def fee(self):
        return from_minor(self.fee_minor, self.currency)

    @property
    def can_withdraw(self) -> bool:
        return self.available_minor >= self.minimum_minor


def _is_wallet(account: Account) -> bool:
    return account.book == PLATFORM_BOOK and chart.parse(account.code).role == chart.Role.WALLET


def wallet_lines(*, user) -> list[WalletLine]:
    """Each of the user's platform wallets with its available and held amounts, minimum, fee and PKR rate."""
    return [
        WalletLine(
            account=account,
            currency=account.currency,
            available_minor=account.available_minor,
            held_minor=account.held_minor,
            minimum_minor=minimum_withdrawal_minor(account.currency),
            fee_minor=withdrawal_fee_minor(account.currency),
            rate=pkr_rate(account.currency),
        )
        for account in user_accounts(user=user).filter(book=PLATFORM_BOOK)
        if _is_wallet(account)
    ]


def bank_accounts_for(*, user) -> QuerySet[BankAccount]:
    return BankAccount.objects.filter(owner=user, active=True).order_by("-created_at")


def withdrawals_for(*, user) -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(freelancer=user).select_related("bank_account")


def withdrawal_for(*, user, pk: int) -> Withdrawal:
    """One withdrawal the user may see: their own, or any for staff. Withdrawal.DoesNotExist otherwise."""
    rows = Withdrawal.objects.select_related("bank_account", "freelancer", "resolved_by")
    if not user.is_staff:
        rows = rows.filter(freelancer=user)
    return rows.get(pk=pk)


def withdrawals_to_pay() -> QuerySet[Withdrawal]:
    """The staff queue: requested withdrawals, oldest first."""
    return (
        Withdrawal.objects.filter(state=WithdrawalState.REQUESTED)
        .select_related("bank_account", "freelancer")
        .order_by("requested_at", "id")
    )


def recently_resolved(*, limit: int = 20) -> QuerySet[Withdrawal]:
    return (
        Withdrawal.objects.exclude(state=WithdrawalState.REQUESTED)
        .select_related("bank_account", "freelancer", "resolved_by")
        .order_by("-resolved_at", "-id")[:limit]
    )
