"""The invoice PDF."""

from decimal import Decimal

import pytest
from django.utils import timezone

from invoicing import services
from invoicing.tests.factories import make_invoice
from ledger.models import ExchangeRate

pytestmark = pytest.mark.django_db


def test_the_pdf_names_the_business_with_address_ntn_separators_and_the_frozen_pkr_line():
    from invoicing.pdf import invoice_pdf_html

    ExchangeRate.objects.create(base_currency="USD", rate=Decimal("280.75"), rate_date=timezone.localdate())
    invoice = make_invoice(lines=(("Build", "1", "1310.85"),))
    profile = invoice.freelancer.freelancer_profile
    profile.ntn = "1234567-8"
    profile.save()
    services.settings_update(
        freelancer=invoice.freelancer, business_name="Ayesha Studio", business_address="12 Mall Road\nLahore",
        show_ntn=True,
    )  # fmt: skip
    html = invoice_pdf_html(invoice)
    assert "Ayesha Studio" in html and "12 Mall Road<br>Lahore" in html and "NTN: 1234567-8" in html
    assert "1,310.85" in html and "1310.85" not in html
    assert "368,021.14" in html  # 1,310.85 × 280.75 = 368,021.1375, rounded once
    services.settings_update(freelancer=invoice.freelancer, show_ntn=False)
    assert "1234567-8" not in invoice_pdf_html(invoice)
