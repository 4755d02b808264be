"""Preparing postings: legs checked and turned into integer minor units, accounts loaded, idempotency keys
and texts checked, every transaction found balanced per currency. Validation only: nothing is written here."""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ledger import chart
from ledger.errors import (
    BookMismatch,
    CurrencyMismatch,
    InvalidPostings,
    UnbalancedTransaction,
    UnknownAccount,
)
from ledger.models import (
    Account,
)
from ledger.money import check_currency, format_minor, to_minor

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Leg:
    """One posting to make: the account (instance, id or code), the signed Decimal amount in its currency
    (debit positive, credit negative), and optionally the currency the caller believes it is in."""

    account: Account | int | str
    amount: Decimal
    currency: str | None = None


@dataclass
class _Prepared:
    legs: list[tuple[Account, int]]
    book: str
    kind: str
    memo: str
    reference: str
    idempotency_key: str
    fingerprint: str
    reverses_id: int | None = None
    fx: dict = field(default_factory=dict)


def _as_leg(item) -> Leg:
    if isinstance(item, Leg):
        return item
    if isinstance(item, dict):
        return Leg(**item)
    if isinstance(item, tuple | list) and len(item) in (2, 3):
        return Leg(*item)
    raise InvalidPostings(f"A posting is (account, amount) or (account, amount, currency), not {item!r}.")


def _leg_parts(item) -> tuple:
    """(account, amount, currency) of a posting; a plain (account, amount) pair without building a Leg."""
    if type(item) is tuple and len(item) == 2:
        return item[0], item[1], None
    leg = _as_leg(item)
    return leg.account, leg.amount, leg.currency


def _load_accounts(refs: Iterable) -> dict:
    """Map each reference (instance, id, code) to an Account, with one query for those not given as rows."""
    refs = list(refs)
    found: dict = {}
    ids = [r for r in refs if isinstance(r, int) and not isinstance(r, bool)]
    codes = [r for r in refs if isinstance(r, str)]
    for ref in refs:
        if isinstance(ref, Account):
            if ref.pk is None:
                raise UnknownAccount(f"Account {ref.code} is not saved.")
            found[ref] = ref
    if ids or codes:
        rows = Account.objects.filter(pk__in=ids) if ids else Account.objects.none()
        by_id = {a.pk: a for a in rows}
        by_code = {a.code: a for a in Account.objects.filter(code__in=codes)} if codes else {}
        for ref in ids:
            if ref not in by_id:
                raise UnknownAccount(f"No account with id {ref}.")
            found[ref] = by_id[ref]
        for ref in codes:
            if ref not in by_code:
                raise UnknownAccount(f"No account {ref!r}.")
            found[ref] = by_code[ref]
    for ref in refs:
        if ref not in found:
            raise UnknownAccount(f"{ref!r} is not an account.")
    return found


# Made once: json.dumps with any option builds a new encoder on every call.
_ENCODE = json.JSONEncoder(sort_keys=True, default=str).encode


def _fingerprint(payload: dict) -> str:
    return hashlib.sha256(_ENCODE(payload).encode()).hexdigest()


def _check_key(idempotency_key: str) -> str:
    if not idempotency_key or not isinstance(idempotency_key, str):
        raise InvalidPostings("An idempotency key is required.")
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise InvalidPostings(f"An idempotency key is at most {MAX_KEY_LENGTH} characters.")
    return idempotency_key


_TEXT_LIMITS = {"kind": 40, "memo": 255, "reference": 120}
_KINDS = frozenset(chart.TxnKind.values)  # Django rebuilds .values on every access


def _check_text(**values: str) -> None:
    if values.get("kind") not in _KINDS:
        raise InvalidPostings(f"Unknown transaction kind {values.get('kind')!r}; add it to ledger.chart.TxnKind.")
    for name, value in values.items():
        if not isinstance(value, str):
            raise InvalidPostings(f"The {name} must be text.")
        if len(value) > _TEXT_LIMITS[name]:
            raise InvalidPostings(f"The {name} is at most {_TEXT_LIMITS[name]} characters.")


def _prepare(
    postings: Sequence,
    *,
    idempotency_key: str,
    kind: str,
    memo: str = "",
    reference: str = "",
    reverses_id: int | None = None,
    fx: dict | None = None,
    accounts: dict | None = None,
) -> _Prepared:
    _check_key(idempotency_key)
    _check_text(kind=kind, memo=memo, reference=reference)
    legs_in = [_leg_parts(p) for p in postings]
    if len(legs_in) < 2:
        raise InvalidPostings("A transaction needs at least two postings.")
    if accounts is None and not all(type(ref) is Account and ref.pk is not None for ref, _a, _c in legs_in):
        accounts = _load_accounts(ref for ref, _amount, _currency in legs_in)
    legs: list[tuple[Account, int]] = []
    for ref, amount, currency in legs_in:
        # A saved Account maps to itself (_load_accounts checked it is saved); skip hashing the model.
        account = ref if type(ref) is Account else accounts[ref]
        if currency is not None and check_currency(currency) != account.currency:
            raise CurrencyMismatch(f"Account {account.code} is in {account.currency}, not {currency}.")
        minor = to_minor(amount, account.currency)
        if minor == 0:
            raise InvalidPostings(f"A posting to {account.code} has a zero amount.")
        legs.append((account, minor))
    books = {account.book for account, _ in legs}
    if len(books) > 1:
        raise BookMismatch(f"Postings touch several books ({', '.join(sorted(books))}); a transaction lives in one.")
    sums: dict[str, int] = {}
    for account, minor in legs:
        sums[account.currency] = sums.get(account.currency, 0) + minor
    off = {cur: total for cur, total in sums.items() if total}
    if off:
        detail = ", ".join(f"{cur} off by {format_minor(total, cur)}" for cur, total in sorted(off.items()))
        if len(sums) > 1:
            raise CurrencyMismatch(
                f"Postings mix {' and '.join(sorted(sums))} and do not sum to zero in each currency ({detail}); "
                "convert through the FX clearing accounts."
            )
        raise UnbalancedTransaction(f"Postings do not sum to zero ({detail}).")
    fx = fx or {}
    fingerprint = _fingerprint(
        {
            "kind": kind,
            "memo": memo,
            "reference": reference,
            "legs": sorted((account.pk, minor) for account, minor in legs),
            "reverses": reverses_id,
            "fx": {k: str(v) for k, v in fx.items()},
        }
    )
    return _Prepared(
        legs=legs,
        book=books.pop(),
        kind=kind,
        memo=memo,
        reference=reference,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        reverses_id=reverses_id,
        fx=fx,
    )
