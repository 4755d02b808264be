"""Every write to the books. Each service validates first (BooksError, nothing saved), then posts balanced
transactions to the ledger with an idempotency key and records the entries, in one database transaction.

Personal-book recipes (MONEY.md):
  expense              expense:<category>:<CUR> +E · cash:<place>:<CUR> −E
  receipt (income)     cash:<place>:<CUR> +X · income:<source>:<CUR> −X   (PKR withheld: tax:withheld:PKR +t)
  transfer out         cash:transit:<CUR> +X · cash:<place>:<CUR> −X     (Payoneer/Wise withdrawal to a bank)
  remittance           cash:bank:PKR +net · tax:withheld:PKR +t · fx:PKR −(net+t); fx:<CUR> +U · <from> −U
where <from> is cash:<place>:<CUR>, or income:direct:<CUR> when the client paid the bank directly.

One module an area (entries, remittances, budgets, corrections), each importing only _common and the areas
before it in that list; callers import from this package.
"""

from books.services._common import (
    MAX_DAYS_AHEAD,
    PLACE_RE,
    cash,
    expense_account,
    fingerprint,
    income_account,
    ledger_key,
    recategorise_reference,
    tax_withheld_account,
)
from books.services._common import (
    _check_place as _check_place,  # books.imports checks a statement's place the same way
)
from books.services.budgets import budget_set, budgets_set, recurring_add
from books.services.corrections import entry_reverse, expense_correct
from books.services.entries import expense_record, income_record
from books.services.remittances import remittance_from_withdrawal, remittance_record, remittance_set_prc

__all__ = [
    "MAX_DAYS_AHEAD",
    "PLACE_RE",
    "budget_set",
    "budgets_set",
    "cash",
    "entry_reverse",
    "expense_account",
    "expense_correct",
    "expense_record",
    "fingerprint",
    "income_account",
    "income_record",
    "ledger_key",
    "recategorise_reference",
    "recurring_add",
    "remittance_from_withdrawal",
    "remittance_record",
    "remittance_set_prc",
    "tax_withheld_account",
]
