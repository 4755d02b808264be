"""The one IBAN check (common.iban), as invoices and bank accounts use it."""

from common.iban import iban_is_valid


def test_iban_check():
    assert iban_is_valid("PK36SCBL0000001123456702")
    assert not iban_is_valid("PK36SCBL0000001123456703")
