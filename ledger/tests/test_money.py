from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.money import (
    MINOR_UNITS,
    MoneyError,
    check_currency,
    convert,
    format_money,
    from_minor,
    parse_amount,
    parse_rate,
    quantize,
    to_minor,
)


def test_every_required_currency_has_a_minor_unit():
    assert {"PKR", "USD", "EUR", "GBP", "AED", "SAR", "CAD", "AUD"} <= set(MINOR_UNITS)


def test_unknown_currency_is_a_money_error():
    with pytest.raises(MoneyError, match="Unknown currency 'XYZ'"):
        check_currency("XYZ")


def test_money_error_is_a_ledger_error_and_a_value_error():
    assert issubclass(MoneyError, LedgerError)
    assert issubclass(MoneyError, ValueError)


def test_rounding_is_half_even_in_one_place():
    assert quantize(Decimal("0.125"), "USD") == Decimal("0.12")
    assert quantize(Decimal("0.135"), "USD") == Decimal("0.14")
    assert convert(Decimal("10.00"), Decimal("278.455"), "PKR") == Decimal("2784.55")


def test_minor_units_round_trip_exactly():
    assert to_minor(Decimal("1234.56"), "PKR") == 123456
    assert from_minor(123456, "PKR") == Decimal("1234.56")
    assert to_minor(Decimal("-0.01"), "USD") == -1


def test_to_minor_refuses_sub_minor_amounts():
    with pytest.raises(MoneyError, match="12.345 has more decimals than USD allows"):
        to_minor(Decimal("12.345"), "USD")


def test_binary_floats_are_refused():
    with pytest.raises(MoneyError, match="not float"):
        to_minor(0.1, "USD")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,250.50", Decimal("1250.50")), (" 7 ", Decimal("7.00")), ("۱۲۳٫۴۵", Decimal("123.45"))],
)
def test_parse_amount(text, expected):
    assert parse_amount(text, "PKR") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.345", "12.345 has more decimals than USD allows."),
        ("", "Enter an amount."),
        ("twelve", "'twelve' is not a number."),
        ("NaN", "'NaN' is not a number."),
    ],
)
def test_parse_amount_errors_are_clear(text, message):
    with pytest.raises(MoneyError) as error:
        parse_amount(text, "USD")
    assert str(error.value) == message


def test_parse_rate():
    assert parse_rate("278.12345678") == Decimal("278.12345678")
    with pytest.raises(MoneyError):
        parse_rate("0")
    with pytest.raises(MoneyError):
        parse_rate("1.123456789")


def test_format_money_in_english_and_urdu():
    assert format_money(Decimal("1234.5"), "USD", "en") == "$1,234.50"
    assert format_money(Decimal("1234.5"), "PKR", "en") == "Rs1,234.50"  # rupees read "Rs" in both languages
    urdu = format_money(Decimal("1234.5"), "PKR", "ur")
    assert "1,234.50" in urdu and "Rs" in urdu


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e30", "without an exponent"),
        ("1E+400", "without an exponent"),
        ("1e20", "without an exponent"),
        ("1_0", "without underscores"),
        ("NaN", "is not a number"),
        ("-Infinity", "is not a number"),
        ("inf", "is not a number"),
        ("٣", "digits 0-9"),
        ("１０", "digits 0-9"),
        ("-1", "negative number is not allowed"),
        ("+5", r"without a \+ sign"),
        ("9" * 40, "The most this field takes is 1,000,000,000"),
        ("1000000000.01", "The most this field takes is"),
        ("1.001", "more decimals than USD allows"),
        ("<script>", "is not a number"),
        ("1.2.3", "is not a number"),
    ],
)
def test_parse_amount_refuses_hostile_input_with_a_message(text, message):
    with pytest.raises(MoneyError, match=message):
        parse_amount(text, "USD")


def test_parse_amount_bounds_are_per_field():
    assert parse_amount("1000000000", "USD") == Decimal("1000000000.00")
    assert parse_amount("-5", "USD", allow_negative=True) == Decimal("-5.00")
    assert parse_amount("5.", "USD") == Decimal("5.00") and parse_amount(".5", "USD") == Decimal("0.50")
    with pytest.raises(MoneyError, match="The most this field takes is 500"):
        parse_amount("501", "USD", max_amount=Decimal(500))


st_places = [0, 1, 2, 3, 8, -3]


def _to_minor_by_rounding(amount, currency: str) -> int:
    """to_minor as it was before its shortcut for plain Decimals: the reference the shortcut must match."""
    if amount != quantize(amount, currency):
        raise MoneyError("finer than the minor unit")
    return int(Decimal(amount).scaleb(MINOR_UNITS[currency]))


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=None)
    | st.integers(-(10**20), 10**20).map(lambda n: Decimal(n).scaleb(-st_places[n % len(st_places)])),
    st.sampled_from(sorted(MINOR_UNITS)),
)
def test_to_minor_shortcut_agrees_with_rounding_check(amount, currency):
    try:
        expected = _to_minor_by_rounding(amount, currency)
    except (MoneyError, InvalidOperation):
        with pytest.raises((MoneyError, InvalidOperation)):
            to_minor(amount, currency)
        return
    assert to_minor(amount, currency) == expected


def test_to_minor_keeps_trailing_zeros_and_refuses_finer_amounts():
    assert to_minor(Decimal("12.3400"), "USD") == 1234
    assert to_minor(Decimal("1E+3"), "PKR") == 100000
    with pytest.raises(MoneyError):
        to_minor(Decimal("0.001"), "USD")
    with pytest.raises(MoneyError):
        to_minor(Decimal("NaN"), "USD")
