"""Applying prepared transactions under lock: accounts locked in ascending id order, funds re-checked against
the locked rows, transaction and postings written, cached balances moved in the same transaction, and the
read models registered by other apps (projectors) written with them; a replayed key returns what it wrote."""

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from common.registry import Registry
from ledger import sql
from ledger.errors import (
    IdempotencyConflict,
    InsufficientFunds,
    UnknownAccount,
)
from ledger.models import (
    Account,
    Transaction,
)
from ledger.money import format_minor
from ledger.services.preparing import _Prepared


@dataclass(frozen=True)
class Posted:
    """A transaction just written, with its legs (account, signed minor units), for read models."""

    transaction: Transaction
    legs: list[tuple[Account, int]]


@dataclass(frozen=True)
class _Projector:
    project: object
    wants: object
    needs_transaction: bool


_PROJECTORS: Registry = Registry("ledger projectors")


def register_projector(projector, *, wants=None, needs_transaction: bool = True) -> None:
    """Call `projector(list[Posted])` inside the database transaction that writes postings, so a read model
    (the freelancer's books) is written with them or not at all. Apps register theirs in AppConfig.ready;
    the ledger knows nothing of what they build (DECISIONS 24). `wants(legs, kind)` says whether a single
    transaction concerns the projector (default: every one); when no projector that needs the transaction
    wants it, PostgreSQL posts it in one statement (`ledger.sql.post_one`). A projector that only counts
    (metrics, after commit) passes needs_transaction=False."""
    _PROJECTORS.register(_Projector(projector, wants, needs_transaction), key=projector)


def _wanted(legs, kind: str) -> list[_Projector]:
    return [p for p in _PROJECTORS if p.wants is None or p.wants(legs, kind)]


def _project(posted: list) -> None:
    """Each projector gets the transactions it wants (all of them, for one registered without `wants`)."""
    for projector in _PROJECTORS:
        mine = posted if projector.wants is None else [p for p in posted if projector.wants(p.legs, p.transaction.kind)]
        if mine:
            projector.project(mine)


def _lock_accounts(ids: Iterable[int]) -> dict[int, Account]:
    """Lock the accounts in ascending id order: every writer takes locks in the same order, so no deadlock."""
    ids = sorted(set(ids))
    locked = {account.pk: account for account in sql.lock_accounts(ids)}
    if len(locked) != len(ids):
        raise UnknownAccount("An account disappeared while posting.")
    return locked


def _check_funds(account: Account, new_balance: int, delta: int) -> None:
    if not account.no_negative or account.sign * delta >= 0:
        return
    available = account.sign * new_balance - account.held_minor
    if available < 0:
        raise InsufficientFunds(
            f"{account.code} would go below zero: available "
            f"{format_minor(account.available_minor, account.currency)}, "
            f"needed {format_minor(abs(delta), account.currency)}."
        )


def _update_cached(locked: dict[int, Account], balance_deltas: dict[int, int], held_deltas: dict[int, int]) -> None:
    """Move the cached balances of locked accounts by the given deltas, in the database and in memory."""
    ids = [i for i in sorted(set(balance_deltas) | set(held_deltas)) if balance_deltas.get(i) or held_deltas.get(i)]
    if not ids:
        return
    sql.move_balances([(i, balance_deltas.get(i, 0), held_deltas.get(i, 0)) for i in ids])
    for i in ids:
        locked[i].balance_minor += balance_deltas.get(i, 0)
        locked[i].held_minor += held_deltas.get(i, 0)


def _apply(prepared: list[_Prepared], locked: dict[int, Account], held_deltas: dict[int, int] | None = None):
    """Write the transactions in order, checking every no-negative account after each one, and move the
    cached balances (and any held amounts released by a settlement) in the same statement."""
    held_deltas = dict(held_deltas or {})
    balances = {i: a.balance_minor for i, a in locked.items()}
    balance_deltas: dict[int, int] = {}
    for i, delta in held_deltas.items():
        locked[i].held_minor += delta
    try:
        for prep in prepared:
            per_account: dict[int, int] = {}
            for account, minor in prep.legs:
                per_account[account.pk] = per_account.get(account.pk, 0) + minor
            for pk, delta in per_account.items():
                balances[pk] += delta
                _check_funds(locked[pk], balances[pk], delta)
                balance_deltas[pk] = balance_deltas.get(pk, 0) + delta
    finally:
        for i, delta in held_deltas.items():
            locked[i].held_minor -= delta
    now = timezone.now()
    values = [_values(p) for p in prepared]
    moved = sorted(i for i in set(balance_deltas) | set(held_deltas) if balance_deltas.get(i) or held_deltas.get(i))
    ids = sql.write(
        values,
        [(p.idempotency_key, account.pk, minor, account.currency) for p in prepared for account, minor in p.legs],
        [(i, balance_deltas.get(i, 0), held_deltas.get(i, 0)) for i in moved],
        now,
    )
    for i in moved:
        locked[i].balance_minor += balance_deltas.get(i, 0)
        locked[i].held_minor += held_deltas.get(i, 0)
    rows = [_row(p, v, ids[p.idempotency_key], now) for p, v in zip(prepared, values, strict=True)]
    if _PROJECTORS:
        _project([Posted(row, p.legs) for row, p in zip(rows, prepared, strict=True)])
    return rows


_WRITTEN = ["id", *sql.TRANSACTION_COLUMNS, "created_at"]
# Where each model field sits among (id, values..., created_at), in the model's field order.
_ORDER = [_WRITTEN.index(f.attname) for f in Transaction._meta.concrete_fields]


def _row(prep: _Prepared, values: list, pk: int, at) -> Transaction:
    """The Transaction just written, built as a fetched row would be (Model.from_db: positional, quick)."""
    written = [pk, *values, at]
    return Transaction.from_db(connection.alias, _WRITTEN, [written[i] for i in _ORDER])


def _values(p: _Prepared) -> list:
    return [
        p.book, p.kind, p.memo, p.reference, p.idempotency_key, p.fingerprint, p.reverses_id,
        p.fx.get("rate"), p.fx.get("reference_rate"), p.fx.get("exchange_rate_id"),
    ]  # fmt: skip


def _post_one_pg(prep: _Prepared) -> Transaction:
    """PostgreSQL: one transaction in one statement (ledger_post_one), with the projectors that want it in the
    same database transaction. Outside any transaction and wanted by none, that statement is the whole
    transaction: one round trip, as pgledger's functions take."""
    wanted = _wanted(prep.legs, prep.kind)
    atomic = any(p.needs_transaction for p in wanted)
    values, now = _values(prep), timezone.now()
    legs = [(account.pk, minor, account.currency) for account, minor in prep.legs]
    # No savepoint: the function raises for none of its outcomes, so nothing needs rolling back on a refusal.
    with transaction.atomic(savepoint=False) if atomic else nullcontext():
        status, pk, info = sql.post_one(values, legs, now)
        if status == "ok":
            row = _row(prep, values, pk, now)
            for projector in wanted:  # `wants` already said yes to this one transaction
                projector.project([Posted(row, prep.legs)])
            return row
    if status == "replay":
        if info != prep.fingerprint:
            raise IdempotencyConflict(
                f"Idempotency key {prep.idempotency_key!r} was already used for a different transaction."
            )
        return Transaction.objects.get(pk=pk)
    if status == "insufficient":
        replayed = _replay(Transaction, prep.idempotency_key, prep.fingerprint)
        if replayed is not None:  # posted before; the funds have moved on since
            return replayed
        account = next(a for a, _ in prep.legs if a.pk == pk)
        available, needed = (int(x) for x in info.split())
        raise InsufficientFunds(
            f"{account.code} would go below zero: available {format_minor(available, account.currency)}, "
            f"needed {format_minor(needed, account.currency)}."
        )
    raise UnknownAccount("An account disappeared while posting.")


def _replay(model, prepared_key: str, fingerprint: str):
    if model is Transaction:
        found = sql.existing_fingerprints([prepared_key]).get(prepared_key)
        if found is None:
            return None
        if found[1] != fingerprint:
            raise IdempotencyConflict(f"Idempotency key {prepared_key!r} was already used for a different transaction.")
        return Transaction.objects.get(pk=found[0])
    existing = model.objects.filter(idempotency_key=prepared_key).first()
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict(
            f"Idempotency key {prepared_key!r} was already used for a different {model.__name__.lower()}."
        )
    return existing
