"""Turning one row of each provider's layout into a line, collecting every problem by row and column."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from books.statements.reading import parse_amount, parse_date
from ledger.money import MINOR_UNITS

OWN_ACCOUNTS = re.compile(r"\b(payoneer|wise|transferwise|upwork|fiverr)\b", re.I)


class _Reader:
    """Collects every problem with its row and column while turning cells into values."""

    def __init__(self):
        self.errors: list[str] = []

    def fail(self, line: int, column: str, value: str, message: str) -> None:
        self.errors.append(
            _("Row %(row)s, column '%(column)s': '%(value)s' %(message)s.")
            % {"row": line, "column": column, "value": value[:40], "message": message}
        )

    def date(self, line, column, value, date_format):
        try:
            return parse_date(value, date_format)
        except ValueError as error:
            self.fail(line, column, value, str(error))

    def currency(self, line, column, value):
        code = value.strip().upper()
        if code not in MINOR_UNITS:
            self.fail(line, column, value, _("is not a currency we handle"))
            return None
        return code

    def amount(self, line, column, value, currency, style="dot"):
        try:
            return parse_amount(value, currency or "USD", style)
        except ValueError as error:
            self.fail(line, column, value, str(error))

    def optional_amount(self, line, column, value, currency, style="dot"):
        """A cell that may be blank (a Debit column on a credit line): blank is zero."""
        if not value.strip() or value.strip() in ("-", "--"):
            return Decimal(0)
        return self.amount(line, column, value, currency, style)


@dataclass
class _Line:
    """One statement line as read, before it becomes a Row."""

    on: date | None
    amount: Decimal | None
    currency: str | None
    description: str
    client: str = ""
    ident: str = ""  # the provider's own transaction id, when the layout has one
    content: tuple = ()  # the raw cells that identify the line when there is no id
    realized_pkr: Decimal | None = None
    balance: Decimal | None = None
    income_words: tuple[str, ...] = ()  # negative lines that are still income (refunds, reversals)


def _payoneer_credit_debit(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency"))
    credit = reader.optional_amount(line, "Credit Amount", cell("Credit Amount"), currency)
    debit = reader.optional_amount(line, "Debit Amount", cell("Debit Amount"), currency)
    amount = None if credit is None or debit is None else credit - abs(debit)
    description = " ".join(filter(None, [cell("Description"), cell("Additional Description")]))
    realized = None
    if cell("Transfer Amount Currency").upper() == "PKR" and cell("Transfer Amount") and amount and amount < 0:
        realized = reader.amount(line, "Transfer Amount", cell("Transfer Amount"), "PKR")
    client = cell("Source") or re.sub(r"^(payment|transfer) from\s+", "", cell("Description"), flags=re.I)
    return _Line(
        reader.date(line, "Transaction Date", cell("Transaction Date"), layout.date_format), amount, currency,
        description, client, ident=cell("Transaction ID"), realized_pkr=realized,
        balance=_balance(cell, line, reader, "Running Balance", currency),
    )  # fmt: skip


def _balance(cell, line, reader, column, currency):
    return reader.amount(line, column, cell(column), currency) if cell(column) else None


def _payoneer(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency"))
    amount = reader.amount(line, "Amount", cell("Amount"), currency)
    description = cell("Description")
    client = re.sub(r"^(payment|transfer) from\s+", "", description, flags=re.I)
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, currency, description, client,
        ident=cell("Transaction ID"), content=(cell("Date"), cell("Amount"), cell("Currency"), description),
        balance=_balance(cell, line, reader, "Running Balance", currency),
    )  # fmt: skip


def _wise(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency"))
    # Amount is what left or reached the balance, fees included (the Running Balance moves by exactly it), so
    # the fee is never booked again as a line of its own.
    amount = reader.amount(line, "Amount", cell("Amount"), currency)
    realized = None
    if cell("Exchange To").upper() == "PKR" and cell("Exchange To Amount") and currency != "PKR":
        realized = reader.amount(line, "Exchange To Amount", cell("Exchange To Amount"), "PKR")
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, currency,
        cell("Description") or cell("Payment Reference"), cell("Payer Name"), ident=cell("TransferWise ID"),
        realized_pkr=realized, balance=_balance(cell, line, reader, "Running Balance", currency),
    )  # fmt: skip


def _upwork_19(cell, line, reader, layout):
    # "Amount $" is always USD; "Currency" belongs to "Amount in local currency".
    amount = reader.amount(line, "Amount $", cell("Amount $"), "USD")
    kind_text = cell("Transaction type")
    text = cell("Description 1") or cell("Transaction summary")
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, "USD",
        f"{kind_text}: {text}".strip(": "), cell("Client team"), ident=cell("Transaction ID") or cell("Ref ID"),
        balance=_balance(cell, line, reader, "Current balance $", "USD"), income_words=("refund",),
    )  # fmt: skip


def _upwork(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency") or "USD")
    amount = reader.amount(line, "Amount", cell("Amount"), currency)
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, currency,
        f"{cell('Type')}: {cell('Description')}".strip(": "), cell("Team"), ident=cell("Ref ID"),
        income_words=("refund",),
    )  # fmt: skip


def _fiverr(cell, line, reader, layout):
    currency = reader.currency(line, "Currency", cell("Currency") or "USD")
    amount = reader.amount(line, "Amount", cell("Amount"), currency)
    return _Line(
        reader.date(line, "Date", cell("Date"), layout.date_format), amount, currency,
        f"{cell('Activity')}: {cell('Description')}".strip(": "), cell("From"),
        content=(cell("Date"), cell("Activity"), cell("Order"), cell("Amount"), cell("Description")),
        income_words=("refund",),
    )  # fmt: skip


READERS = {
    "payoneer_credit_debit": _payoneer_credit_debit,
    "payoneer": _payoneer,
    "wise": _wise,
    "upwork_19": _upwork_19,
    "upwork": _upwork,
    "fiverr": _fiverr,
}


REQUIRED_ID = {"payoneer_credit_debit": "Transaction ID", "wise": "TransferWise ID", "upwork": "Ref ID"}
