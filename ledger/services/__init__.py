"""Every write to the ledger. Other apps move money only through these functions.

Each public service runs in one database transaction: it validates first (raising a LedgerError before
anything is written), then locks the touched accounts in ascending id order (SELECT ... FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), re-checks funds against the locked rows,
writes the transaction and its postings, and moves the cached balances in the same transaction.

Amounts come in as Decimal in the account's currency; they are converted to minor units exactly (an
amount finer than the currency allows is refused, never rounded).

How another app moves money (recipes in MONEY.md), e.g. releasing a milestone:

    escrow = contract_escrow_account(contract_id=contract.pk, currency="USD")
    wallet = freelancer_wallet_account(freelancer=contract.freelancer, currency="USD")
    fees = platform_fees_account(currency="USD")
    post_transaction(
        [Leg(escrow, amount), Leg(wallet, -(amount - fee)), Leg(fees, -fee)],
        idempotency_key=f"milestone:{milestone.pk}:release", kind="escrow_release",
        memo="Milestone approved", reference=f"milestone:{milestone.pk}",
    )

A withdrawal is hold(...) then settle_hold(...) or void_hold(...); a conversion is convert_currency(...);
a mistake is corrected with reverse_transaction(...). Every function raises a ledger.errors.LedgerError
subclass, with a message fit to show, when it refuses; nothing is written in that case.

The steps live one module each, in the order they build on each other: accounts, preparing (validate),
applying (lock in id order, re-check, write), then the services: posting, holds, conversions. Callers
import from this package.
"""

from ledger.services.accounts import (
    account_for,
    account_get_or_create,
    client_funds_account,
    contract_escrow_account,
    freelancer_wallet_account,
    fx_clearing_account,
    fx_gain_loss_account,
    personal_account,
    platform_bank_account,
    platform_fees_account,
    platform_payouts_account,
)
from ledger.services.applying import Posted, register_projector
from ledger.services.conversions import convert_currency
from ledger.services.holds import hold, settle_hold, void_hold
from ledger.services.posting import post_transaction, post_transactions, reverse_transaction
from ledger.services.preparing import MAX_KEY_LENGTH, Leg

__all__ = [
    "Leg",
    "MAX_KEY_LENGTH",
    "Posted",
    "account_for",
    "account_get_or_create",
    "client_funds_account",
    "contract_escrow_account",
    "convert_currency",
    "freelancer_wallet_account",
    "fx_clearing_account",
    "fx_gain_loss_account",
    "hold",
    "personal_account",
    "platform_bank_account",
    "platform_fees_account",
    "platform_payouts_account",
    "post_transaction",
    "post_transactions",
    "register_projector",
    "reverse_transaction",
    "settle_hold",
    "void_hold",
]
