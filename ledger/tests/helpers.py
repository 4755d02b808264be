from decimal import Decimal
from itertools import count

from ledger import services
from ledger.checks import ledger_problems

_keys = count()


def key(prefix: str = "test") -> str:
    return f"{prefix}:{next(_keys)}"


def deposit(account, amount: str, *, idempotency_key: str | None = None):
    """Client money arrives in the platform bank and is credited to `account` (a liability)."""
    bank = services.platform_bank_account(currency=account.currency)
    return services.post_transaction(
        [(bank, Decimal(amount)), (account, -Decimal(amount))],
        idempotency_key=idempotency_key or key("deposit"),
        kind="payin",
    )


def assert_sound():
    problems = ledger_problems()
    assert problems == [], "\n".join(problems)
