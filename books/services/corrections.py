"""Corrections: a hand-recorded entry reversed, or an expense reversed and recorded again."""

from django.db import transaction
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.models import (
    Entry,
)
from books.selectors import removable
from books.services._common import fingerprint, ledger_key, recategorise_reference
from books.services.entries import expense_record
from ledger import chart
from ledger.errors import LedgerError
from ledger.models import Transaction
from ledger.services import reverse_transaction


def entry_reverse(*, user, entry: Entry, idempotency_key: str) -> Entry:
    """Remove an entry the freelancer recorded by hand: its ledger transaction is reversed, and the reversal's
    entry (the same amounts, negated, on today's date) takes it out of every total. Moves what the original moved,
    back. Entries other apps posted are corrected where they came from (void the invoice, not its entry)."""
    if entry.user_id != user.pk:
        raise BooksError(_("No such entry."))
    if not removable(entry):
        raise BooksError(_("Only an entry you recorded by hand can be removed here."))
    if Entry.objects.filter(reverses=entry).exists():
        raise BooksError(_("This entry has already been removed."))
    try:
        with transaction.atomic():
            # Undo its category changes too (newest first): the reversal's entry takes the entry's current
            # category out of the totals, so the ledger must take the amount out of that category's account.
            moves = Transaction.objects.filter(
                kind=chart.TxnKind.BOOKS_RECATEGORISE, reference=recategorise_reference(entry.pk)
            ).order_by("-id")
            for move in moves:
                key = ledger_key(user, "reverse", fingerprint("category", move.pk, idempotency_key))
                reverse_transaction(original=move, idempotency_key=key)
            reversal = reverse_transaction(
                original=entry.transaction,
                idempotency_key=ledger_key(user, "reverse", fingerprint(entry.pk, idempotency_key)),
                memo=_("Removed: %(note)s") % {"note": entry.description or entry.get_kind_display()},
            )
    except LedgerError as error:
        raise BooksError(str(error)) from None
    return Entry.objects.get(transaction=reversal, reverses=entry)


def expense_correct(*, user, entry: Entry, idempotency_key: str, **values) -> Entry:
    """Correct a hand-recorded expense: reverse it and record the corrected one, in one transaction."""
    with transaction.atomic():
        entry_reverse(user=user, entry=entry, idempotency_key=idempotency_key)
        return expense_record(user=user, idempotency_key=f"correct:{entry.pk}:{idempotency_key}", **values)
