"""The signed link a client opens to read an invoice."""

import pytest

from invoicing import services
from invoicing.tests.factories import make_invoice

pytestmark = pytest.mark.django_db


def test_client_link_token_is_signed():
    invoice = make_invoice()
    token = services.invoice_link_token(invoice)
    assert services.invoice_from_token(token) == invoice
    assert services.invoice_from_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]) is None
    other = make_invoice()
    forged = services.invoice_link_token(other).split(":")[0] + ":" + token.split(":", 1)[1]
    assert services.invoice_from_token(forged) is None
    assert services.invoice_from_token("nonsense") is None
