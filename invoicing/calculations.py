"""Invoice arithmetic: line amounts, discount, taxes and late fees, each rounded once with the ledger's rule
(ledger.money.quantize). Pure functions over Decimal and integer minor units; nothing here touches the database."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledger.money import from_minor, quantize, to_minor

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal  # in the invoice's currency


@dataclass(frozen=True)
class TaxInput:
    name: str
    rate_percent: Decimal


@dataclass(frozen=True)
class Totals:
    line_amounts_minor: list[int]
    subtotal_minor: int
    discount_minor: int
    tax_amounts_minor: list[int]
    tax_minor: int
    total_minor: int  # before late fees


def line_amount_minor(quantity: Decimal, unit_price: Decimal, currency: str) -> int:
    return to_minor(quantize(quantity * unit_price, currency), currency)


def percent_of_minor(base_minor: int, percent: Decimal, currency: str) -> int:
    return to_minor(quantize(from_minor(base_minor, currency) * percent / HUNDRED, currency), currency)


def compute_totals(
    *,
    lines: list[LineInput],
    taxes: list[TaxInput],
    currency: str,
    discount_percent: Decimal = Decimal(0),
    discount_fixed_minor: int = 0,
) -> Totals:
    """Subtotal of the lines; the discount (a percentage or a fixed amount, never more than the subtotal);
    each tax on the discounted subtotal, rounded per tax line."""
    amounts = [line_amount_minor(line.quantity, line.unit_price, currency) for line in lines]
    subtotal = sum(amounts)
    if discount_fixed_minor:
        discount = discount_fixed_minor
    elif discount_percent:
        discount = percent_of_minor(subtotal, discount_percent, currency)
    else:
        discount = 0
    taxable = subtotal - discount
    tax_amounts = [percent_of_minor(taxable, tax.rate_percent, currency) for tax in taxes]
    tax_total = sum(tax_amounts)
    return Totals(amounts, subtotal, discount, tax_amounts, tax_total, taxable + tax_total)


def late_fee_period(*, due_date: date, today: date, period_days: int) -> int:
    """Which late-fee period `today` falls in: 0 when not overdue, 1 from the day after the due date, 2 once
    `period_days` more have passed, and so on."""
    days_late = (today - due_date).days
    if days_late <= 0 or period_days <= 0:
        return 0
    return 1 + (days_late - 1) // period_days


def late_fee_minor(
    *, kind: str, percent: Decimal, fixed_minor: int, base_minor: int, charged_minor: int, cap_minor, currency: str
) -> int:
    """One period's late fee: a percentage of what is still owed (without earlier fees), or a fixed amount,
    never taking the fees charged so far above the cap."""
    if kind == "percent":
        fee = percent_of_minor(max(base_minor, 0), percent, currency)
    elif kind == "fixed":
        fee = fixed_minor
    else:
        return 0
    if cap_minor is not None:
        fee = min(fee, max(cap_minor - charged_minor, 0))
    return max(fee, 0)
