"""Holds (two-phase transfers): funds held now, then settled (in full or part) or voided."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from ledger.errors import (
    BookMismatch,
    CurrencyMismatch,
    HoldError,
    InsufficientFunds,
    InvalidPostings,
)
from ledger.models import (
    Account,
    Hold,
    HoldStatus,
    Transaction,
)
from ledger.money import format_minor, from_minor, to_minor
from ledger.services.applying import _apply, _lock_accounts, _replay, _update_cached
from ledger.services.preparing import Leg, _check_key, _check_text, _fingerprint, _load_accounts, _prepare


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
