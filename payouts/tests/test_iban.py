import pytest
from django.core.exceptions import ValidationError

from common.iban import bank_name_for, format_iban, iban_mod97, normalize_iban, validate_pk_iban
from payouts.tests.helpers import make_iban


def _code(raw):
    with pytest.raises(ValidationError) as caught:
        validate_pk_iban(raw)
    return caught.value.code, " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("bank", "account"),
    [
        ("MEZN", "0101234567890123"),
        ("HABB", "0000001234567801"),
        ("SCBL", "0000001123456702"),
        ("UNIL", "9999999999999999"),
    ],
)
def test_real_check_digits_are_accepted(bank, account):
    iban = make_iban(bank, account)
    assert len(iban) == 24
    assert validate_pk_iban(iban) == iban
    assert iban_mod97(iban) == 1


def test_the_published_example_iban_is_valid():
    # The example IBAN the State Bank of Pakistan and Standard Chartered publish.
    assert validate_pk_iban("PK36SCBL0000001123456702") == "PK36SCBL0000001123456702"


def test_spaces_dashes_and_lowercase_are_normalised():
    iban = make_iban()
    spaced = " " + format_iban(iban).lower().replace(" ", " - ", 1) + " "
    assert normalize_iban(spaced) == iban
    assert validate_pk_iban(spaced) == iban


def test_wrong_length():
    iban = make_iban()
    code, message = _code(iban[:-1])
    assert code == "length" and "24" in message and "23" in message
    code, _message = _code(iban + "0")
    assert code == "length"


def test_wrong_country():
    code, message = _code("GB82WEST12345698765432")
    assert code == "country"
    assert "PK" in message and "GB" in message


def test_bad_checksum():
    iban = make_iban()
    wrong = iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:]
    code, message = _code(wrong)
    assert code == "checksum" and "check digits" in message
    # One mistyped digit in the account number is caught too.
    typo = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    assert _code(typo)[0] == "checksum"


def test_shape_and_characters():
    assert _code("")[0] == "required"
    assert _code("PK36SCBL00000011234567!2")[0] == "characters"
    assert _code("PK36SC1L0000001123456702")[0] == "shape"


def test_bank_named_from_code():
    assert bank_name_for(make_iban("MEZN")) == "Meezan Bank"
    assert bank_name_for(make_iban("ZZZZ")) == ""
