"""Money: Decimal amounts quantized to each currency's ISO 4217 minor unit.

The one rounding rule for all of Kamai lives here: ROUND_HALF_EVEN (banker's rounding). Every place that
must round money (a conversion at a rate, a percentage fee) calls `quantize` or `convert`, so an amount is
rounded once, here. Amounts are stored as integer minor units (paisa, cents) and converted only at the edges.
"""

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

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
    places = MINOR_UNITS.get(currency)
    if type(amount) is Decimal and places is not None and amount.is_finite():
        # Every posting comes through here: a Decimal with at most the currency's decimals and 18 digits (far
        # inside bigint) needs no rounding check, as its exponent already says it is exact.
        _sign, digits, exponent = amount.as_tuple()
        if exponent >= -places and len(digits) + exponent + places <= 18:
            return int(amount.scaleb(places))
    amount = _as_decimal(amount)
    if amount != quantize(amount, currency):
        raise MoneyError(
            _("%(amount)s has more decimals than %(currency)s allows.") % {"amount": amount, "currency": currency}
        )
    return int(amount.scaleb(MINOR_UNITS[currency]))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(int(minor)).scaleb(-MINOR_UNITS[check_currency(currency)])


# The largest amount any form takes unless a field says otherwise: 1,000,000,000 major units is 10^11 minor
# units, far inside a 64-bit integer even summed over many lines, so no typed amount can overflow a column.
MAX_AMOUNT = Decimal(1_000_000_000)
# Urdu keyboards type Extended Arabic-Indic digits; they are read as 0-9. Every other non-ASCII digit
# (Arabic-Indic, Devanagari, full-width...) is refused with a message rather than silently reinterpreted.
_URDU_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)


def parse_number(
    text: str, *, places: int, max_value: Decimal = MAX_AMOUNT, allow_negative: bool = False, unit: str = ""
) -> Decimal:
    """What a person typed as a plain decimal number ("1,250.50", Urdu digits), or a MoneyError with a message
    for them: exponents (1e30), underscores (1_0), NaN and Infinity, other scripts' digits, a sign where none
    is allowed, more than `places` decimals and anything beyond ±max_value are all refused, never guessed."""
    raw = str(text)
    cleaned = raw.strip().replace(",", "").replace("٬", "").replace("٫", ".").translate(_URDU_DIGITS)
    if not cleaned:
        raise MoneyError(_("Enter an amount."))
    if not _PLAIN_NUMBER.fullmatch(cleaned):
        if cleaned.strip("+-").lower() in {"nan", "snan", "inf", "infinity"}:
            raise MoneyError(_("%(text)r is not a number.") % {"text": raw})
        if "_" in cleaned:
            raise MoneyError(_("Write the number without underscores, like 1500.50."))
        if any(char.isdigit() and not char.isascii() for char in cleaned):
            raise MoneyError(_("Write the number with the digits 0-9 (or Urdu digits)."))
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+", cleaned, re.ASCII):
            raise MoneyError(_("Write the number in full, without an exponent (like 1500.50, not 1.5e3)."))
        raise MoneyError(_("%(text)r is not a number.") % {"text": raw})
    if cleaned[0] == "+":
        raise MoneyError(_("Write the number without a + sign."))
    if cleaned[0] == "-" and not allow_negative:
        raise MoneyError(_("A negative number is not allowed here; it must be more than zero."))
    value = Decimal(cleaned)
    if abs(value) > max_value:
        raise MoneyError(_("The most this field takes is %(max)s.") % {"max": f"{max_value:,f}"})
    if value != value.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING):
        if unit:
            raise MoneyError(
                _("%(amount)s has more decimals than %(currency)s allows.") % {"amount": value, "currency": unit}
            )
        raise MoneyError(_("%(number)s has more than %(places)d decimals.") % {"number": value, "places": places})
    return value


def parse_amount(
    text: str, currency: str, *, max_amount: Decimal = MAX_AMOUNT, allow_negative: bool = False
) -> Decimal:
    """Parse what a user typed ("1,250.50", or with Urdu digits) into an exact Decimal for the currency: the
    one parser for every money field, each field with its bounds (at most `max_amount`; no sign unless
    `allow_negative`)."""
    check_currency(currency)
    value = parse_number(
        text, places=MINOR_UNITS[currency], max_value=max_amount, allow_negative=allow_negative, unit=currency
    )
    return quantize(value, currency)


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
    """Format for display in the user's language (Babel): 'ur' gives Urdu (Pakistan) conventions. Rupees read
    "Rs" in both languages (Babel's en_PK), as on Pakistani bank statements; other currencies keep en_US's
    symbols ("$", "£") in English."""
    if locale.startswith("ur"):
        babel_locale = "ur_PK"
    else:
        babel_locale = "en_PK" if currency == "PKR" else "en_US"
    return _formatted(quantize(amount, currency), currency, babel_locale)


# A statement page formats a hundred amounts and many repeat; Babel parses the locale on every call otherwise.
@lru_cache(maxsize=4096)
def _formatted(amount: Decimal, currency: str, babel_locale: str) -> str:
    from babel.numbers import format_currency

    return format_currency(amount, currency, locale=_babel_locale(babel_locale))


@lru_cache(maxsize=4)
def _babel_locale(name: str):
    from babel import Locale

    return Locale.parse(name)


def format_minor(minor: int, currency: str, locale: str = "en") -> str:
    return format_money(from_minor(minor, currency), currency, locale)
