"""Money: Decimal amounts quantized to each currency's ISO 4217 minor unit.

The one rounding rule for all of Kamai lives here: ROUND_HALF_EVEN (banker's rounding). Every place that
must round money (a conversion at a rate, a percentage fee) calls `quantize` or `convert`, so an amount is
rounded once, here. Amounts are stored as integer minor units (paisa, cents) and converted only at the edges.
"""

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ledger.errors import LedgerError

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

# Exchange rates are stored with this many decimals (ExchangeRate.rate, Transaction.fx_rate).
RATE_DECIMAL_PLACES = 8
RATE_QUANTUM = Decimal(1).scaleb(-RATE_DECIMAL_PLACES)


class MoneyError(LedgerError, ValueError):
    """Bad money input; the message is fit to show to a user."""


def check_currency(currency: str) -> str:
    if currency not in MINOR_UNITS:
        raise MoneyError(_("Unknown currency %(currency)r.") % {"currency": currency})
    return currency


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS[check_currency(currency)])


def _as_decimal(amount) -> Decimal:
    # Only exact types become money: a binary float has already lost the cents.
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise MoneyError(_("Amounts must be Decimal, not %(type)s.") % {"type": type(amount).__name__})
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise MoneyError(_("%(text)r is not a number.") % {"text": amount}) from None
    if not value.is_finite():
        raise MoneyError(_("%(text)r is not a number.") % {"text": amount})
    return value


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to the currency's minor unit with the one rounding rule."""
    return _as_decimal(amount).quantize(quantum(currency), rounding=ROUNDING)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact conversion to integer minor units; refuses amounts finer than the minor unit."""
    amount = _as_decimal(amount)
    if amount != quantize(amount, currency):
        raise MoneyError(
            _("%(amount)s has more decimals than %(currency)s allows.") % {"amount": amount, "currency": currency}
        )
    return int(amount.scaleb(MINOR_UNITS[currency]))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(int(minor)).scaleb(-MINOR_UNITS[check_currency(currency)])


def parse_amount(text: str, currency: str) -> Decimal:
    """Parse what a user typed ("1,250.50", or with Urdu digits) into an exact Decimal for the currency."""
    check_currency(currency)
    cleaned = str(text).strip().replace(",", "").replace("٬", "").replace("٫", ".")
    if not cleaned:
        raise MoneyError(_("Enter an amount."))
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(_("%(text)r is not a number.") % {"text": text}) from None
    if not amount.is_finite():
        raise MoneyError(_("%(text)r is not a number.") % {"text": text})
    if amount != quantize(amount, currency):
        raise MoneyError(
            _("%(amount)s has more decimals than %(currency)s allows.") % {"amount": amount, "currency": currency}
        )
    return quantize(amount, currency)


def parse_rate(text) -> Decimal:
    """An exchange rate: positive, at most RATE_DECIMAL_PLACES decimals."""
    try:
        rate = Decimal(str(text).strip())
    except InvalidOperation:
        raise MoneyError(_("%(text)r is not a rate.") % {"text": text}) from None
    if not rate.is_finite() or rate <= 0:
        raise MoneyError(_("A rate must be a positive number, not %(text)r.") % {"text": text})
    if rate != rate.quantize(RATE_QUANTUM, rounding=ROUNDING):
        raise MoneyError(
            _("%(rate)s has more than %(places)d decimals.") % {"rate": rate, "places": RATE_DECIMAL_PLACES}
        )
    return rate


def quantize_rate(rate: Decimal) -> Decimal:
    return _as_decimal(rate).quantize(RATE_QUANTUM, rounding=ROUNDING)


def convert(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """amount × rate in the target currency, rounded once with the one rule."""
    return quantize(_as_decimal(amount) * _as_decimal(rate), currency)


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """Format for display in the user's language (Babel): 'ur' gives Urdu (Pakistan) conventions."""
    from babel.numbers import format_currency

    babel_locale = "ur_PK" if locale.startswith("ur") else "en_US"
    return format_currency(quantize(amount, currency), currency, locale=babel_locale)


def format_minor(minor: int, currency: str, locale: str = "en") -> str:
    return format_money(from_minor(minor, currency), currency, locale)
