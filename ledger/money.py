"""Money: Decimal amounts quantized to each currency's ISO 4217 minor unit.

The one rounding rule for all of Kamai lives here: ROUND_HALF_EVEN (banker's rounding).
Amounts are stored as integer minor units (paisa, cents) and converted only at the edges.
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

ROUNDING = ROUND_HALF_EVEN

# ISO 4217 minor units for the currencies Kamai handles.
MINOR_UNITS: dict[str, int] = {
    "PKR": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "AED": 2,
    "SAR": 2,
    "CAD": 2,
    "AUD": 2,
}
CURRENCY_CHOICES = [(code, code) for code in MINOR_UNITS]


class MoneyError(ValueError):
    """Bad money input; the message is fit to show to a user."""


def check_currency(currency: str) -> str:
    if currency not in MINOR_UNITS:
        raise MoneyError(f"Unknown currency {currency!r}.")
    return currency


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS[check_currency(currency)])


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to the currency's minor unit with the one rounding rule."""
    return Decimal(amount).quantize(quantum(currency), rounding=ROUNDING)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact conversion to integer minor units; refuses amounts finer than the minor unit."""
    amount = Decimal(amount)
    if amount != quantize(amount, currency):
        raise MoneyError(f"{amount} has more decimals than {currency} allows.")
    return int(amount.scaleb(MINOR_UNITS[currency]))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(int(minor)).scaleb(-MINOR_UNITS[check_currency(currency)])


def parse_amount(text: str, currency: str) -> Decimal:
    """Parse what a user typed ("1,250.50") into an exact Decimal for the currency."""
    check_currency(currency)
    cleaned = str(text).strip().replace(",", "")
    if not cleaned:
        raise MoneyError("Enter an amount.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"{text!r} is not a number.") from None
    if not amount.is_finite():
        raise MoneyError(f"{text!r} is not a number.")
    if amount != quantize(amount, currency):
        raise MoneyError(f"{cleaned} has more decimals than {currency} allows.")
    return quantize(amount, currency)


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """Format for display in the user's language (Babel); 'ur' gives Urdu digits and order."""
    from babel.numbers import format_currency

    babel_locale = "ur_PK" if locale.startswith("ur") else "en_US"
    return format_currency(quantize(amount, currency), currency, locale=babel_locale)
