"""Posting: one transaction, a batch of them in one database transaction, or the reversal of one."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from ledger import chart, sql
from ledger.errors import (
    IdempotencyConflict,
    InsufficientFunds,
)
from ledger.models import (
    ExchangeRate,
    Transaction,
)
from ledger.services.applying import _apply, _lock_accounts, _post_one_pg, _replay
from ledger.services.preparing import Leg, _as_leg, _load_accounts, _prepare, _Prepared


def post_transaction(
    postings: Sequence,
    *,
    idempotency_key: str,
    kind: str,
    memo: str = "",
    reference: str = "",
    reverses: Transaction | None = None,
    valued_at: ExchangeRate | None = None,
    _fx: dict | None = None,
) -> Transaction:
    """Post one balanced transaction: postings are Leg(account, Decimal amount) or (account, amount) pairs,
    debit positive. Moves the accounts' balances; refuses to overdraw a no-negative account. Posting the
    same key with the same content again returns the original transaction and moves nothing. `valued_at`
    records the reference rate the transaction's foreign amounts are valued at in PKR (an invoice's frozen
    rate); it moves nothing."""
    if valued_at is not None:
        _fx = {"rate": valued_at.rate, "reference_rate": valued_at.rate, "exchange_rate_id": valued_at.pk}
    prep = _prepare(
        postings,
        idempotency_key=idempotency_key,
        kind=kind,
        memo=memo,
        reference=reference,
        reverses_id=reverses.pk if reverses else None,
        fx=_fx,
    )
    if sql.is_pg():
        return _post_one_pg(prep)
    try:
        with transaction.atomic():
            locked = _lock_accounts(account.pk for account, _ in prep.legs)
            return _apply([prep], locked)[0]
    except (IntegrityError, InsufficientFunds):
        # A replay is the rare case, so it is not looked up first: the unique idempotency key refuses the
        # second insert (after the first poster commits, on PostgreSQL), and a replay whose funds have moved
        # on since is recognised here too, before the refusal is reported.
        existing = _replay(Transaction, prep.idempotency_key, prep.fingerprint)
        if existing is None:
            raise
        return existing


def post_transactions(batch: Sequence[dict]) -> list[Transaction]:
    """Post many transactions in one database transaction (bulk imports): all or nothing. Each item is a
    dict of post_transaction's arguments. Keys already posted with the same content are returned as they
    are; the result is in the batch's order."""
    accounts = _load_accounts({_as_leg(p).account for item in batch for p in item.get("postings", ())})
    prepared: list[_Prepared] = []
    by_key: dict[str, _Prepared] = {}
    for item in batch:
        item = dict(item)
        postings = item.pop("postings", ())
        prep = _prepare(postings, accounts=accounts, **item)
        twin = by_key.get(prep.idempotency_key)
        if twin is not None:
            if twin.fingerprint != prep.fingerprint:
                raise IdempotencyConflict(
                    f"Idempotency key {prep.idempotency_key!r} appears twice with different content."
                )
            continue
        by_key[prep.idempotency_key] = prep
        prepared.append(prep)
    if not prepared:
        return []
    # Keys already posted are looked up before the accounts are locked (less time holding them); a key posted
    # by someone else in between fails the insert on its unique index, and the second attempt finds it.
    for attempt in (1, 2):
        known = sql.existing_fingerprints(list(by_key))
        for key, (_pk, fingerprint) in known.items():
            if fingerprint != by_key[key].fingerprint:
                raise IdempotencyConflict(f"Idempotency key {key!r} was already used for a different transaction.")
        existing = {t.idempotency_key: t for t in Transaction.objects.filter(pk__in=[v[0] for v in known.values()])}
        new = [p for p in prepared if p.idempotency_key not in known]
        try:
            with transaction.atomic():
                created = {}
                if new:
                    locked = _lock_accounts(account.pk for p in new for account, _ in p.legs)
                    created = {t.idempotency_key: t for t in _apply(new, locked)}
                return [existing.get(p.idempotency_key) or created[p.idempotency_key] for p in prepared]
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def reverse_transaction(*, original: Transaction, idempotency_key: str = "", memo: str = "") -> Transaction:
    """Undo a posted transaction by posting its negation; the original stays as it was."""
    legs = [Leg(p.account, -p.amount) for p in original.postings.select_related("account")]
    return post_transaction(
        legs,
        idempotency_key=idempotency_key or f"reversal:{original.pk}",
        kind=chart.TxnKind.REVERSAL,
        memo=memo or f"Reversal of {original.kind} {original.pk}",
        reference=f"transaction:{original.pk}",
        reverses=original,
    )
