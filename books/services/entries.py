"""Recording an expense (expense:<category>:<CUR> +E · cash:<place>:<CUR> −E) or a receipt of income
(cash:<place>:<CUR> +X · income:<source>:<CUR> −X, with any PKR withheld as tax:withheld:PKR +t)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.models import (
    Entry,
    EntryKind,
    ExpenseCategory,
    Source,
)
from books.month_totals import entry_insert
from books.receipts import check_receipt
from books.services._common import (
    _check_amount,
    _check_date,
    _check_place,
    _claim,
    _pkr,
    _replayed,
    cash,
    expense_account,
    fingerprint,
    income_account,
    ledger_key,
    tax_withheld_account,
)
from ledger import chart
from ledger.errors import LedgerError
from ledger.money import from_minor
from ledger.services import Leg, post_transaction


def expense_record(
    *,
    user,
    occurred_on: date,
    amount: Decimal,
    currency: str,
    category: str,
    note: str = "",
    place: str = "cash",
    receipt=None,
    idempotency_key: str,
) -> Entry:
    """Record an expense paid from one of the freelancer's own accounts, with an optional receipt (PDF or
    image, checked by content and size). Posts expense +E, cash −E in the personal book."""
    fp = fingerprint("expense", idempotency_key)
    request = {"on": occurred_on, "amount": amount, "currency": currency, "category": category, "place": place}
    existing = _replayed(user, fp)
    if existing is not None:
        _claim(idempotency_key, user, "expense_record", request)
        return existing
    minor = _check_amount(amount, currency)
    amount = from_minor(minor, currency)
    _check_date(occurred_on)
    place = _check_place(place)
    if category not in ExpenseCategory.values:
        raise BooksError(_("Choose a category."))
    content_type = ext = ""
    if receipt is not None:
        try:
            content_type, ext = check_receipt(receipt)
        except ValidationError as error:
            raise BooksError(error.messages[0]) from None
    pkr_minor, basis, rate = _pkr(amount, currency, occurred_on)
    try:
        with transaction.atomic():
            _claim(idempotency_key, user, "expense_record", request)
            txn = post_transaction(
                [Leg(expense_account(user, category, currency), amount), Leg(cash(user, place, currency), -amount)],
                idempotency_key=ledger_key(user, "expense", fp),
                kind=chart.TxnKind.BOOKS_EXPENSE,
                memo=note[:255],
                reference=f"books:expense:{occurred_on.isoformat()}",
            )
            entry = entry_insert(
                user=user,
                kind=EntryKind.EXPENSE,
                occurred_on=occurred_on,
                amount_minor=minor,
                currency=currency,
                pkr_minor=pkr_minor,
                pkr_basis=basis,
                fx_rate=rate,
                category=category,
                source=Source.MANUAL,
                place=place,
                description=note[:255],
                fingerprint=fp,
                transaction=txn,
                receipt_content_type=content_type,
            )
            if receipt is not None:
                entry.receipt.save(f"receipt-{entry.pk}.{ext}", receipt, save=True)
    except LedgerError as error:
        raise BooksError(str(error)) from None
    return entry


def income_record(
    *,
    user,
    occurred_on: date,
    amount: Decimal,
    currency: str,
    client: str = "",
    note: str = "",
    place: str = "bank",
    tax_withheld: Decimal = Decimal(0),
    idempotency_key: str,
) -> Entry:
    """Record income received into one of the freelancer's own accounts (not through Kamai). A Pakistani
    client's s.153(1)(b) withholding (PKR income only) goes to tax:withheld, credited against the year's tax."""
    fp = fingerprint("income", idempotency_key)
    request = {"on": occurred_on, "amount": amount, "currency": currency, "place": place, "withheld": tax_withheld}
    existing = _replayed(user, fp)
    if existing is not None:
        _claim(idempotency_key, user, "income_record", request)
        return existing
    minor = _check_amount(amount, currency)
    amount = from_minor(minor, currency)
    _check_date(occurred_on)
    place = _check_place(place)
    withheld_minor = 0
    if tax_withheld:
        if currency != "PKR":
            raise BooksError(_("Tax withheld by a Pakistani client applies to PKR income only."))
        withheld_minor = _check_amount(tax_withheld, "PKR")
        if withheld_minor >= minor:
            raise BooksError(_("The tax withheld must be less than the amount."))
    withheld = from_minor(withheld_minor, "PKR")
    legs = [Leg(cash(user, place, currency), amount - withheld), Leg(income_account(user, "direct", currency), -amount)]
    if withheld_minor:
        legs.append(Leg(tax_withheld_account(user), withheld))
    pkr_minor, basis, rate = _pkr(amount, currency, occurred_on)
    try:
        with transaction.atomic():
            _claim(idempotency_key, user, "income_record", request)
            txn = post_transaction(
                legs,
                idempotency_key=ledger_key(user, "income", fp),
                kind=chart.TxnKind.BOOKS_INCOME,
                memo=note[:255],
                reference=f"books:income:{occurred_on.isoformat()}",
            )
            return entry_insert(
                user=user,
                kind=EntryKind.INCOME,
                occurred_on=occurred_on,
                amount_minor=minor,
                currency=currency,
                pkr_minor=pkr_minor,
                pkr_basis=basis,
                fx_rate=rate,
                source=Source.MANUAL,
                place=place,
                client=client[:120],
                description=note[:255],
                tax_withheld_minor=withheld_minor,
                fingerprint=fp,
                transaction=txn,
            )
    except LedgerError as error:
        raise BooksError(str(error)) from None
