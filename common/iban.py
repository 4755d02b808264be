"""IBANs (ISO 13616), in one place for every app: any country's check digits (a client's bank on an
invoice), and Pakistani IBANs in full: "PK", two check digits, a four-letter bank code and a 16-character
account number, 24 characters in all, valid when the ISO 7064 mod-97 remainder is 1 (withdrawals)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PK_IBAN_LENGTH = 24
_SHAPE = re.compile(r"PK[0-9]{2}[A-Z]{4}[0-9A-Z]{16}")

# Bank codes (IBAN characters 5-8) of the larger Pakistani banks, to name the bank when the user leaves it out.
BANK_CODES = {
    "ALFH": "Bank Alfalah",
    "ASCM": "Askari Bank",
    "BAHL": "Bank AL Habib",
    "FAYS": "Faysal Bank",
    "HABB": "Habib Bank Limited (HBL)",
    "MEZN": "Meezan Bank",
    "MUCB": "MCB Bank",
    "NBPA": "National Bank of Pakistan",
    "SCBL": "Standard Chartered Bank (Pakistan)",
    "UNIL": "United Bank Limited (UBL)",
}


def normalize_iban(raw: str) -> str:
    """What people paste ("pk36 mezn-0002 …") in the electronic form: upper case, no spaces or dashes."""
    return re.sub(r"[\s\-]", "", str(raw or "")).upper()


def iban_mod97(iban: str) -> int:
    """ISO 7064 MOD 97-10 of an IBAN: move the first four characters to the end, letters to 10..35."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


def iban_is_valid(raw: str) -> bool:
    """Any country's IBAN: 15-34 letters and digits, a country code, check digits that make mod 97 equal 1."""
    iban = normalize_iban(raw)
    if not 15 <= len(iban) <= 34 or not iban.isascii() or not iban.isalnum():
        return False
    return iban[:2].isalpha() and iban[2:4].isdigit() and iban_mod97(iban) == 1


def validate_pk_iban(raw: str) -> str:
    """The normalised IBAN, or ValidationError with a message that says what is wrong."""
    iban = normalize_iban(raw)
    if not iban:
        raise ValidationError(_("Enter your IBAN."), code="required")
    if not iban.isalnum() or not iban.isascii():
        raise ValidationError(_("An IBAN has only letters and digits."), code="characters")
    if not iban.startswith("PK"):
        raise ValidationError(
            _("Withdrawals go to Pakistani bank accounts only: the IBAN must start with PK, not %(start)s.")
            % {"start": iban[:2]},
            code="country",
        )
    if len(iban) != PK_IBAN_LENGTH:
        raise ValidationError(
            _("A Pakistani IBAN has %(expected)d characters; this one has %(count)d.")
            % {"expected": PK_IBAN_LENGTH, "count": len(iban)},
            code="length",
        )
    if not _SHAPE.fullmatch(iban):
        raise ValidationError(
            _("A Pakistani IBAN is PK, two check digits, a four-letter bank code and 16 digits."), code="shape"
        )
    if iban_mod97(iban) != 1:
        raise ValidationError(
            _("This IBAN's check digits do not match; please copy it again from your bank statement or app."),
            code="checksum",
        )
    return iban


def bank_name_for(iban: str) -> str:
    return BANK_CODES.get(iban[4:8], "")


def format_iban(iban: str) -> str:
    """Groups of four, as banks print it."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
