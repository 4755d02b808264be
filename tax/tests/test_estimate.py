from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import FreelancerProfileFactory
from books import services
from ledger.models import ExchangeRate
from tax import selectors
from tax.services import tax_profile_update

D = Decimal


@pytest.fixture
def pseb_freelancer(db):
    profile = FreelancerProfileFactory(pseb_registration_number="PSEB-1", pseb_expires_on=date(2026, 3, 31))
    tax_profile_update(user=profile.user, service_kind="it", atl_since=date(2020, 1, 1), atl_until=None,
                       pseb_registered_on=date(2024, 1, 1))  # fmt: skip
    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2025, 6, 1), rate=D("280"), source="sbp")
    return profile.user


def remit(user, on, amount, net, withheld, key, code="9186"):
    return services.remittance_record(user=user, received_on=on, currency="USD", amount=D(amount), pkr_net=D(net),
                                      tax_withheld=D(withheld), from_place="direct", purpose_code=code,
                                      idempotency_key=key)  # fmt: skip


def test_each_remittance_is_checked_against_the_rule_and_a_mismatch_is_flagged(pseb_freelancer):
    # 1,000 USD -> PKR 280,000 gross; PSEB + ATL in FY2025-26: 0.25% = 700.00
    remit(pseb_freelancer, date(2025, 8, 1), "1000", "279300", "700", "a")
    # the bank deducted 1% (2,800) where the rule says 700: flagged
    remit(pseb_freelancer, date(2025, 9, 1), "1000", "277200", "2800", "b")
    # after PSEB expiry (2026-03-31) the "other services, ATL" rule: 1% of 280,000 = 2,800
    remit(pseb_freelancer, date(2026, 4, 2), "1000", "277200", "2800", "c")
    est = selectors.estimate(user=pseb_freelancer, fy="2025-26", today=date(2026, 6, 30))
    checks = [(c.rule.id, c.expected, c.mismatch) for c in est.checks]
    assert checks == [
        ("154A-it-pseb-atl", D("700.00"), False),
        ("154A-it-pseb-atl", D("700.00"), True),
        ("154A-services-atl", D("2800.00"), False),
    ]
    assert est.mismatches == 1 and est.checks[1].difference == D("2100.00")
    assert est.withheld_154a_pkr == D("6300.00")
    # receipts grouped by the status periods: two at 0.25% (1,400) and one at 1% (2,800)
    assert [(g.rule.id, g.count, g.tax) for g in est.export_groups] == [
        ("154A-it-pseb-atl", 2, D("1400.00")),
        ("154A-services-atl", 1, D("2800.00")),
    ]


def test_domestic_income_uses_the_slabs_with_withholding_credited(pseb_freelancer):
    services.income_record(user=pseb_freelancer, occurred_on=date(2025, 8, 1), amount=D("2000000"), currency="PKR",
                           tax_withheld=D("80000"), idempotency_key="d")  # fmt: skip
    est = selectors.estimate(user=pseb_freelancer, fy="2025-26", today=date(2026, 7, 15))
    # 2,000,000: 170,000 + 30% of 400,000 = 290,000; less 80,000 withheld = 210,000 due
    assert est.domestic_tax_minor == 29000000 and est.domestic_due_minor == 21000000
    assert est.months_left == 0 and est.projection_factor == 1


def test_projection_and_set_aside_mid_year(pseb_freelancer):
    services.income_record(user=pseb_freelancer, occurred_on=date(2025, 7, 10), amount=D("300000"), currency="PKR",
                           idempotency_key="e")  # fmt: skip
    est = selectors.estimate(user=pseb_freelancer, fy="2025-26", today=date(2025, 9, 30))
    # 92 days of 365 elapsed: 300,000 × 365/92 = 1,190,217.39 projected; 15% of 590,217.39 = 88,532.61
    assert est.projected_tax_pkr == D("88532.61")
    assert est.months_left == 10 and est.set_aside_pkr == D("8853.26")


def test_lapsing_pseb_shows_its_cost(pseb_freelancer):
    remit(pseb_freelancer, date(2025, 8, 1), "1000", "279300", "700", "a")
    est = selectors.estimate(user=pseb_freelancer, fy="2025-26", today=date(2025, 8, 31))
    assert est.lapse_rule.id == "154A-services-atl" and est.lapse_extra_minor > 0


def test_periodic_task_runs(db):
    from tax.tasks import pseb_expiry_reminders

    pseb_expiry_reminders.call_local()


def test_retention_per_month(pseb_freelancer):
    from books.selectors import remittances
    from tax.selectors import with_retention

    remit(pseb_freelancer, date(2025, 8, 1), "3000", "837900", "2100", "r1")  # month 3,000: all may stay
    remit(pseb_freelancer, date(2025, 8, 9), "4000", "1117200", "2800", "r2")  # 7,000: allowance 5,000 -> +2,000
    remit(pseb_freelancer, date(2025, 8, 20), "5000", "1396500", "3500", "r3")  # 12,000: 6,000 -> +1,000
    items = with_retention(list(remittances(user=pseb_freelancer)))
    assert sorted((r.amount, r.may_retain) for r in items) == [
        (D("3000.00"), D("3000.00")), (D("4000.00"), D("2000.00")), (D("5000.00"), D("1000.00")),
    ]  # fmt: skip


@pytest.fixture
def fy2026_freelancer(db):
    profile = FreelancerProfileFactory(pseb_registration_number="PSEB-26", pseb_expires_on=date(2027, 9, 30))
    tax_profile_update(user=profile.user, service_kind="it", atl_since=date(2020, 1, 1), atl_until=None,
                       pseb_registered_on=date(2024, 1, 1))  # fmt: skip
    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2026, 6, 1), rate=D("280"), source="sbp")
    return profile.user


def test_fy2026_27_estimate_uses_its_own_rules_and_suggests_a_set_aside(fy2026_freelancer):
    # 1,000 USD -> PKR 280,000 gross; PSEB + ATL in FY2026-27: 0.25% = 700.00 (confirmed by the 2026-27 budget)
    remit(fy2026_freelancer, date(2026, 8, 1), "1000", "279300", "700", "n1", code="9184")
    services.income_record(user=fy2026_freelancer, occurred_on=date(2026, 7, 10), amount=D("300000"),
                           currency="PKR", idempotency_key="n2")  # fmt: skip
    est = selectors.estimate(user=fy2026_freelancer, fy="2026-27", today=date(2026, 12, 1))
    assert est.fy.label == "2026-27" and not est.basis.carried_forward
    assert [(c.rule.id, c.expected, c.mismatch, c.rule.confirmed) for c in est.checks] == [
        ("154A-it-pseb-atl", D("700.00"), False, True)
    ]
    assert est.checks[0].purpose.code == "9184" and not est.checks[0].code_unknown
    # the slabs are carried forward from FY2025-26 and say so
    assert not est.slab.confirmed
    assert est.months_left == 7 and est.set_aside_minor > 0
    assert est.checklist.pseb_valid and est.checklist.remittances == 1 and est.checklist.with_prc == 0


def test_a_year_without_rules_still_gets_an_estimate_and_a_set_aside(fy2026_freelancer, monkeypatch):
    # the clock has passed July 2027 and nobody has added FY2027-28's rules yet
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2027, 9, 30))
    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2027, 7, 1), rate=D("280"), source="sbp")
    services.income_record(user=fy2026_freelancer, occurred_on=date(2027, 7, 10), amount=D("300000"),
                           currency="PKR", idempotency_key="f1")  # fmt: skip
    remit(fy2026_freelancer, date(2027, 8, 1), "1000", "279300", "700", "f2")
    est = selectors.estimate(user=fy2026_freelancer, fy="2027-28", today=date(2027, 9, 30))
    assert est.basis.carried_forward and est.basis.rules_from == "2026-27"
    assert est.checks[0].rule.rate == D("0.0025") and not est.checks[0].rule.confirmed
    assert est.unconfirmed_rules and all(not r.confirmed for r in est.unconfirmed_rules)
    # 92 days of 366 elapsed (FY2027-28 has 29 February 2028): the domestic 300,000 projects to
    # 300,000 × 366/92 = 1,193,478.26; 15% of 593,478.26 = 89,021.74. Export: 700 × 366/92 = 2,784.78.
    # Credits: the 700 deducted, projected the same way, 2,784.78. Outstanding 89,021.74 over 10 months.
    assert est.projected_tax_pkr == D("91806.52")
    assert est.months_left == 10 and est.set_aside_pkr == D("8902.17")


@pytest.mark.parametrize(
    ("code", "it_declared", "rule_id", "unknown"),
    [
        ("9185", False, "154A-it-pseb-atl", False),  # a known IT code wins over the declared service
        ("9471", True, "154A-services-atl", False),  # a known non-IT code
        ("1234", True, "154A-it-pseb-atl", True),  # unknown: flagged, treated as the declared service
        ("1234", False, "154A-services-atl", True),
        ("", False, "154A-services-atl", False),  # no code at all: the declared service, nothing to flag
    ],
)
def test_purpose_codes_classify_remittances_and_unknown_codes_are_flagged(
    fy2026_freelancer, code, it_declared, rule_id, unknown
):
    tax_profile_update(user=fy2026_freelancer, service_kind="it" if it_declared else "other",
                       atl_since=date(2020, 1, 1), atl_until=None, pseb_registered_on=date(2024, 1, 1))  # fmt: skip
    remit(fy2026_freelancer, date(2026, 8, 1), "1000", "279300", "700", "p1", code=code)
    est = selectors.estimate(user=fy2026_freelancer, fy="2026-27", today=date(2026, 12, 1))
    check = est.checks[0]
    assert (check.rule.id, check.code_unknown) == (rule_id, unknown)
    assert len(est.unknown_codes) == int(unknown)
