"""Monthly budgets per expense category and recurring items (no money moves)."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.models import (
    Budget,
    EntryKind,
    ExpenseCategory,
    RecurringItem,
)
from books.services._common import _check_amount
from ledger.money import MoneyError, to_minor


def budget_set(*, user, category: str, monthly_pkr: Decimal) -> Budget | None:
    """Set (or clear, with zero) the monthly PKR budget for an expense category."""
    if category not in ExpenseCategory.values:
        raise BooksError(_("Choose a category."))
    try:
        minor = to_minor(monthly_pkr, "PKR")
    except MoneyError as error:
        raise BooksError(str(error)) from None
    if minor < 0:
        raise BooksError(_("A budget cannot be negative."))
    if minor == 0:
        Budget.objects.filter(user=user, category=category).delete()
        return None
    budget, _created = Budget.objects.update_or_create(
        user=user, category=category, defaults={"monthly_pkr_minor": minor}
    )
    return budget


@transaction.atomic
def budgets_set(*, user, amounts: dict[str, Decimal]) -> None:
    """Set every category's monthly budget at once (zero clears one): all of them are saved or none."""
    for category, amount in amounts.items():
        budget_set(user=user, category=category, monthly_pkr=amount)


def recurring_add(
    *, user, kind: str, label: str, amount: Decimal, currency: str, day_of_month: int, category: str = ""
) -> RecurringItem:
    if kind not in (EntryKind.INCOME, EntryKind.EXPENSE):
        raise BooksError(_("Choose income or expense."))
    if not 1 <= day_of_month <= 28:
        raise BooksError(_("Choose a day from 1 to 28."))
    if not label.strip():
        raise BooksError(_("Give it a name."))
    if kind == EntryKind.EXPENSE and category not in ExpenseCategory.values:
        raise BooksError(_("Choose a category."))
    minor = _check_amount(amount, currency)
    return RecurringItem.objects.create(
        user=user,
        kind=kind,
        label=label.strip()[:80],
        category=category if kind == EntryKind.EXPENSE else "",
        amount_minor=minor,
        currency=currency,
        day_of_month=day_of_month,
    )
