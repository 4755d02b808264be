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
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ledger import chart, sql
from ledger.errors import (
    BookMismatch,
    CurrencyMismatch,
    HoldError,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPostings,
    UnbalancedTransaction,
    UnknownAccount,
)
from ledger.models import (
    PLATFORM_BOOK,
    Account,
    AccountKind,
    ExchangeRate,
    Hold,
    HoldStatus,
    Transaction,
    personal_book,
)
from ledger.money import check_currency, convert, format_minor, from_minor, quantize, quantize_rate, to_minor

MAX_KEY_LENGTH = 200


# --- Accounts -------------------------------------------------------------------------------------------


def account_get_or_create(
    *,
    code: str,
    book: str,
    kind: str,
    currency: str,
    owner=None,
    owner_ref: str = "",
    no_negative: bool = False,
    name: str = "",
) -> Account:
    """The account with this code, created on first use. Refuses to return an account whose stored
    book, kind or currency differ from what the caller expects."""
    check_currency(currency)
    if kind not in AccountKind.values:
        raise InvalidPostings(f"Unknown account kind {kind!r}.")
    account, _created = Account.objects.get_or_create(
        code=code,
        defaults={
            "book": book,
            "kind": kind,
            "currency": currency,
            "owner": owner,
            "owner_ref": owner_ref,
            "no_negative": no_negative,
            "name": name or code,
        },
    )
    if (account.book, account.kind, account.currency) != (book, kind, currency):
        raise UnknownAccount(
            f"Account {code} exists as {account.kind} {account.currency} in book {account.book}, "
            f"not {kind} {currency} in {book}."
        )
    return account


def account_for(spec: chart.Spec, *, owner=None) -> Account:
    """The account a chart-of-accounts spec describes, created on first use."""
    return account_get_or_create(
        code=spec.code,
        book=spec.book,
        kind=spec.kind,
        currency=spec.currency,
        owner=owner,
        owner_ref=spec.owner_ref,
        no_negative=spec.no_negative,
        name=spec.name or spec.code,
    )


def platform_bank_account(*, currency: str) -> Account:
    return account_for(chart.platform_bank(currency))


def client_funds_account(*, client, currency: str) -> Account:
    return account_for(chart.client_funds(client.pk, currency), owner=client)


def contract_escrow_account(*, contract_id: int, currency: str) -> Account:
    return account_for(chart.contract_escrow(contract_id, currency))


def freelancer_wallet_account(*, freelancer, currency: str) -> Account:
    return account_for(chart.freelancer_wallet(freelancer.pk, currency), owner=freelancer)


def platform_payouts_account(*, currency: str) -> Account:
    return account_for(chart.platform_payouts(currency))


def platform_fees_account(*, currency: str) -> Account:
    return account_for(chart.platform_fees(currency))


def fx_clearing_account(*, currency: str, book: str = PLATFORM_BOOK) -> Account:
    """The per-currency clearing account conversions pass through, so each currency still sums to zero."""
    return account_for(chart.fx_clearing(currency, book))


def fx_gain_loss_account(*, currency: str, book: str = PLATFORM_BOOK) -> Account:
    return account_for(chart.fx_gain_loss(currency, book))


def personal_account(*, user, spec: chart.Spec) -> Account:
    """An account in the user's personal book, from a chart spec (chart.cash, chart.income, ...)."""
    if spec.book != personal_book(user.pk):
        raise UnknownAccount(f"{spec.code} is not in {personal_book(user.pk)}.")
    return account_for(spec, owner=user)


# --- Preparing postings (validation, no writes) ---------------------------------------------------------


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


def _fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _check_key(idempotency_key: str) -> str:
    if not idempotency_key or not isinstance(idempotency_key, str):
        raise InvalidPostings("An idempotency key is required.")
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise InvalidPostings(f"An idempotency key is at most {MAX_KEY_LENGTH} characters.")
    return idempotency_key


_TEXT_LIMITS = {"kind": 40, "memo": 255, "reference": 120}


def _check_text(**values: str) -> None:
    if values.get("kind") not in chart.TxnKind.values:
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
    legs_in = [_as_leg(p) for p in postings]
    if len(legs_in) < 2:
        raise InvalidPostings("A transaction needs at least two postings.")
    accounts = accounts if accounts is not None else _load_accounts(leg.account for leg in legs_in)
    legs: list[tuple[Account, int]] = []
    for leg in legs_in:
        account = accounts[leg.account]
        if leg.currency is not None and check_currency(leg.currency) != account.currency:
            raise CurrencyMismatch(f"Account {account.code} is in {account.currency}, not {leg.currency}.")
        minor = to_minor(leg.amount, account.currency)
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


# --- Read models written with the postings ---------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    """A transaction just written, with its legs (account, signed minor units), for read models."""

    transaction: Transaction
    legs: list[tuple[Account, int]]


_PROJECTORS: list = []


def register_projector(projector) -> None:
    """Call `projector(list[Posted])` inside the database transaction that writes postings, so a read model
    (the freelancer's books) is written with them or not at all. Apps register theirs in AppConfig.ready;
    the ledger knows nothing of what they build (DECISIONS 24)."""
    if projector not in _PROJECTORS:
        _PROJECTORS.append(projector)


# --- Applying prepared transactions under lock ---------------------------------------------------------


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
    values = [
        [
            p.book, p.kind, p.memo, p.reference, p.idempotency_key, p.fingerprint, p.reverses_id,
            p.fx.get("rate"), p.fx.get("reference_rate"), p.fx.get("exchange_rate_id"),
        ]
        for p in prepared
    ]  # fmt: skip
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
    rows = []
    for p, row_values in zip(prepared, values, strict=True):
        row = Transaction(
            pk=ids[p.idempotency_key], created_at=now, **dict(zip(sql.TRANSACTION_COLUMNS, row_values, strict=True))
        )
        row._state.adding, row._state.db = False, connection.alias
        rows.append(row)
    if _PROJECTORS:
        posted = [Posted(row, p.legs) for row, p in zip(rows, prepared, strict=True)]
        for projector in _PROJECTORS:
            projector(posted)
    return rows


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


# --- Posting --------------------------------------------------------------------------------------------


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
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                locked = _lock_accounts(account.pk for p in prepared for account, _ in p.legs)
                known = sql.existing_fingerprints(list(by_key))
                for key, (_pk, fingerprint) in known.items():
                    if fingerprint != by_key[key].fingerprint:
                        raise IdempotencyConflict(
                            f"Idempotency key {key!r} was already used for a different transaction."
                        )
                existing = {
                    t.idempotency_key: t for t in Transaction.objects.filter(pk__in=[v[0] for v in known.values()])
                }
                new = [p for p in prepared if p.idempotency_key not in known]
                created = {t.idempotency_key: t for t in _apply(new, locked)} if new else {}
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


# --- Holds (two-phase transfers) ------------------------------------------------------------------------


def hold(
    *,
    debit_account,
    credit_account,
    amount: Decimal,
    idempotency_key: str,
    kind: str,
    memo: str = "",
    reference: str = "",
) -> Hold:
    """Reserve `amount` for a later transfer debiting one account and crediting the other (a withdrawal:
    debit the wallet, credit payouts). Nothing moves yet; the reserved amount stops being available."""
    _check_key(idempotency_key)
    _check_text(kind=kind, memo=memo, reference=reference)
    accounts = _load_accounts([debit_account, credit_account])
    debit, credit = accounts[debit_account], accounts[credit_account]
    if debit.pk == credit.pk:
        raise InvalidPostings("A hold needs two different accounts.")
    if debit.book != credit.book:
        raise BookMismatch("A hold's accounts must be in the same book.")
    if debit.currency != credit.currency:
        raise CurrencyMismatch(f"A hold cannot move {debit.currency} into {credit.currency}; convert first.")
    minor = to_minor(amount, debit.currency)
    if minor <= 0:
        raise InvalidPostings("A hold's amount must be positive.")
    fingerprint = _fingerprint(
        {"debit": debit.pk, "credit": credit.pk, "amount": minor, "kind": kind, "memo": memo, "reference": reference}
    )
    try:
        with transaction.atomic():
            locked = _lock_accounts([debit.pk, credit.pk])
            existing = _replay(Hold, idempotency_key, fingerprint)
            if existing is not None:
                return existing
            row = Hold(
                book=debit.book,
                debit_account=locked[debit.pk],
                credit_account=locked[credit.pk],
                amount_minor=minor,
                currency=debit.currency,
                kind=kind,
                memo=memo,
                reference=reference,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
            )
            reserved = row.reserved_minor_by_account()
            for pk, held in reserved.items():
                account = locked[pk]
                if account.no_negative and account.available_minor - held < 0:
                    raise InsufficientFunds(
                        f"{account.code} cannot hold {format_minor(held, account.currency)}: available "
                        f"{format_minor(account.available_minor, account.currency)}."
                    )
            row.save()
            _update_cached(locked, {}, reserved)
            return row
    except IntegrityError:
        existing = _replay(Hold, idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing


def _locked_hold(hold_id: int) -> tuple[Hold, dict[int, Account]]:
    unlocked = Hold.objects.get(pk=hold_id)
    locked = _lock_accounts([unlocked.debit_account_id, unlocked.credit_account_id])
    row = Hold.objects.select_for_update().get(pk=hold_id)
    row.debit_account, row.credit_account = locked[row.debit_account_id], locked[row.credit_account_id]
    return row, locked


def settle_hold(held: Hold, *, amount: Decimal | None = None) -> Transaction:
    """Post the held transfer (all of it, or a smaller `amount`) and release the reservation. Settling an
    already settled hold returns its transaction; a voided hold cannot be settled."""
    with transaction.atomic():
        row, locked = _locked_hold(held.pk)
        if row.status == HoldStatus.SETTLED:
            return row.settlement
        if row.status != HoldStatus.PENDING:
            raise HoldError(f"Hold {row.idempotency_key} is {row.status}; only a pending hold can be settled.")
        minor = row.amount_minor if amount is None else to_minor(amount, row.currency)
        if not 0 < minor <= row.amount_minor:
            raise HoldError(
                f"A hold of {format_minor(row.amount_minor, row.currency)} settles for a positive amount up to it."
            )
        prep = _prepare(
            [
                Leg(row.debit_account, from_minor(minor, row.currency)),
                Leg(row.credit_account, -from_minor(minor, row.currency)),
            ],
            idempotency_key=f"hold:{row.pk}:settle",
            kind=row.kind,
            memo=row.memo,
            reference=row.reference,
            accounts={row.debit_account: row.debit_account, row.credit_account: row.credit_account},
        )
        release = {pk: -held_minor for pk, held_minor in row.reserved_minor_by_account().items()}
        posted = _apply([prep], locked, held_deltas=release)[0]
        row.status, row.resolved_at, row.settlement = HoldStatus.SETTLED, timezone.now(), posted
        row.save(update_fields=["status", "resolved_at", "settlement"])
        return posted


def void_hold(held: Hold) -> Hold:
    """Release the reservation; nothing moves. Voiding a voided hold is a no-op; a settled one cannot be."""
    with transaction.atomic():
        row, locked = _locked_hold(held.pk)
        if row.status == HoldStatus.VOIDED:
            return row
        if row.status != HoldStatus.PENDING:
            raise HoldError(f"Hold {row.idempotency_key} is {row.status}; only a pending hold can be voided.")
        release = {pk: -held_minor for pk, held_minor in row.reserved_minor_by_account().items()}
        _update_cached(locked, {}, release)
        row.status, row.resolved_at = HoldStatus.VOIDED, timezone.now()
        row.save(update_fields=["status", "resolved_at"])
        return row


# --- Conversions ----------------------------------------------------------------------------------------


def convert_currency(
    *,
    source,
    target,
    amount: Decimal,
    idempotency_key: str,
    rate: Decimal | None = None,
    exchange_rate: ExchangeRate | None = None,
    realized_amount: Decimal | None = None,
    memo: str = "",
    reference: str = "",
) -> Transaction:
    """Move `amount` out of `source` and its value into `target` (another currency, same book), through the
    book's FX clearing account in each currency so each currency sums to zero.

    The reference value is amount × rate (from `rate` or `exchange_rate`), rounded once. When the bank
    credited a different `realized_amount`, the target gets that and the difference goes to the book's FX
    gain/loss account in the target currency. The transaction stores the rate applied and the reference rate.
    """
    accounts = _load_accounts([source, target])
    src, tgt = accounts[source], accounts[target]
    if src.currency == tgt.currency:
        raise CurrencyMismatch("A conversion needs two different currencies.")
    if src.book != tgt.book:
        raise BookMismatch("A conversion's accounts must be in the same book.")
    if (rate is None) == (exchange_rate is None):
        raise InvalidPostings("Give exactly one of rate or exchange_rate.")
    if to_minor(amount, src.currency) <= 0:
        raise InvalidPostings("A conversion's amount must be positive.")
    if exchange_rate is not None:
        if (exchange_rate.base_currency, exchange_rate.quote_currency) == (src.currency, tgt.currency):
            reference_value = convert(amount, exchange_rate.rate, tgt.currency)
            reference_rate = exchange_rate.rate
        elif (exchange_rate.base_currency, exchange_rate.quote_currency) == (tgt.currency, src.currency):
            reference_value = quantize(amount / exchange_rate.rate, tgt.currency)
            reference_rate = quantize_rate(1 / exchange_rate.rate)
        else:
            raise CurrencyMismatch(f"Rate {exchange_rate} does not convert {src.currency} to {tgt.currency}.")
    else:
        if rate <= 0:
            raise InvalidPostings("A rate must be positive.")
        reference_value = convert(amount, rate, tgt.currency)
        reference_rate = quantize_rate(rate)
    realized = reference_value
    if realized_amount is not None:
        realized = from_minor(to_minor(realized_amount, tgt.currency), tgt.currency)
    if reference_value <= 0 or realized <= 0:
        raise InvalidPostings("The converted amount rounds to nothing.")
    legs = [
        Leg(src, -src.sign * amount),
        Leg(fx_clearing_account(currency=src.currency, book=src.book), src.sign * amount),
        Leg(tgt, tgt.sign * realized),
        Leg(fx_clearing_account(currency=tgt.currency, book=tgt.book), -tgt.sign * reference_value),
    ]
    if realized != reference_value:
        legs.append(
            Leg(fx_gain_loss_account(currency=tgt.currency, book=tgt.book), -tgt.sign * (realized - reference_value))
        )
    fx = {"rate": quantize_rate(realized / amount), "reference_rate": reference_rate}
    if exchange_rate is not None:
        fx["exchange_rate_id"] = exchange_rate.pk
    return post_transaction(
        legs,
        idempotency_key=idempotency_key,
        kind=chart.TxnKind.CONVERSION,
        memo=memo or f"{src.currency} → {tgt.currency}",
        reference=reference,
        _fx=fx,
    )
