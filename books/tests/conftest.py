from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import FreelancerProfileFactory
from ledger.models import ExchangeRate

SAMPLES = Path(__file__).parent / "samples"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def sample(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (SAMPLES / name).read_bytes(), content_type="text/csv")


@pytest.fixture
def freelancer(db):
    return FreelancerProfileFactory().user


@pytest.fixture
def other(db):
    return FreelancerProfileFactory().user


@pytest.fixture
def rates(db):
    """USD 280.1234, GBP 355.50 from 2025-06-01; USD 281.00 from 2025-08-01 (PKR per unit)."""
    for currency, day, rate in [
        ("USD", date(2025, 6, 1), "280.1234"),
        ("GBP", date(2025, 6, 1), "355.50"),
        ("USD", date(2025, 8, 1), "281.00"),
    ]:
        ExchangeRate.objects.create(base_currency=currency, rate_date=day, rate=Decimal(rate), source="sbp")


@pytest.fixture
def png():
    return SimpleUploadedFile("r.png", PNG, content_type="image/png")
