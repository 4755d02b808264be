"""The tax page through the HTTP client: the current fiscal year by default, the carried-forward notice, the
s.154A final-tax checklist and unknown purpose codes."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import FreelancerProfileFactory
from books import services
from ledger.models import ExchangeRate
from tax.services import tax_profile_update

D = Decimal


def _today(monkeypatch, day: date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


@pytest.fixture
def freelancer_2026(db, monkeypatch):
    _today(monkeypatch, date(2026, 12, 1))
    profile = FreelancerProfileFactory(pseb_registration_number="PSEB-77", pseb_expires_on=date(2027, 9, 30))
    tax_profile_update(user=profile.user, service_kind="it", atl_since=date(2020, 1, 1), atl_until=None,
                       pseb_registered_on=date(2024, 1, 1))  # fmt: skip
    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2026, 6, 1), rate=D("280"), source="sbp")
    services.income_record(user=profile.user, occurred_on=date(2026, 7, 10), amount=D("300000"), currency="PKR",
                           idempotency_key="v1")  # fmt: skip
    services.remittance_record(user=profile.user, received_on=date(2026, 8, 1), currency="USD", amount=D("1000"),
                               pkr_net=D("279300"), tax_withheld=D("700"), from_place="direct", prc_number="PRC-1",
                               purpose_code="9184", idempotency_key="v2")  # fmt: skip
    return profile.user


def test_the_tax_page_defaults_to_the_current_fiscal_year_with_a_set_aside(client, freelancer_2026):
    client.force_login(freelancer_2026)
    page = client.get(reverse("tax:tax_home")).content.decode()
    assert "Tax estimate for fiscal year 2026-27" in page and "showing 2025-26" not in page
    assert "Set aside each month" in page
    # the slabs and s.153(1)(b) are carried forward from FY2025-26 and say so; the PSEB rate is confirmed
    assert "carried forward, not yet confirmed" in page
    assert "Purpose code 9184: Export of computer software" in page


def test_the_final_tax_checklist_ticks_what_kamai_knows(client, freelancer_2026):
    client.force_login(freelancer_2026)
    page = client.get(reverse("tax:tax_home")).content.decode()
    assert "When the s.154A tax is your final tax" in page
    assert "Income tax return filed for the year" in page and "s.154A(2)(a)" in page
    assert "Withholding statements filed" in page and "s.154A(2)(b)" in page
    assert "1 of 1 remittances this year have a PRC" in page
    assert "PSEB PSEB-77, valid until 2027-09-30" in page


def test_a_year_without_rules_shows_an_estimate_with_the_carried_forward_notice(client, freelancer_2026, monkeypatch):
    _today(monkeypatch, date(2027, 9, 30))
    services.income_record(user=freelancer_2026, occurred_on=date(2027, 7, 10), amount=D("300000"), currency="PKR",
                           idempotency_key="v3")  # fmt: skip
    client.force_login(freelancer_2026)
    page = client.get(reverse("tax:tax_home")).content.decode()
    assert "Tax estimate for fiscal year 2027-28" in page
    assert "Kamai has no tax rules for fiscal year 2027-28 yet" in page and "rules of 2026-27" in page
    assert "Set aside each month" in page
    assert client.get(reverse("tax:tax_home"), {"year": "2027-28"}).status_code == 200
    assert client.get(reverse("tax:annual_statement", args=["2027-28"])).status_code == 200


def test_next_fiscal_year_can_be_looked_at_before_it_starts(client, freelancer_2026):
    client.force_login(freelancer_2026)
    page = client.get(reverse("tax:tax_home"), {"year": "2027-28"}).content.decode()
    assert "Kamai has no tax rules for fiscal year 2027-28 yet" in page
    assert "Set aside each month" in page and "for each of the 12 months left" in page


@pytest.mark.parametrize("year", ["2023-24", "2028-29", "2030-31", "2026-28", "nonsense"])
def test_years_without_an_estimate_are_not_found(client, freelancer_2026, year):
    client.force_login(freelancer_2026)
    assert client.get(reverse("tax:tax_home"), {"year": year}).status_code == 404


def test_an_unknown_purpose_code_is_flagged_on_the_page(client, freelancer_2026):
    services.remittance_record(user=freelancer_2026, received_on=date(2026, 9, 1), currency="USD", amount=D("100"),
                               pkr_net=D("27930"), tax_withheld=D("70"), from_place="direct", purpose_code="1234",
                               idempotency_key="v4")  # fmt: skip
    client.force_login(freelancer_2026)
    page = client.get(reverse("tax:tax_home")).content.decode()
    assert "Unknown purpose code 1234, treated as an IT export" in page
    assert "1 remittance carries a purpose code Kamai does not know" in page
    assert "1 of 2 remittances this year have a PRC" in page
