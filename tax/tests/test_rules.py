"""Tax rules, worked by hand at every slab boundary and for each rate."""

from datetime import date
from decimal import Decimal

import pytest

from tax import rules

D = Decimal

# Non-salaried slabs (FY2024-25 and FY2025-26 are the same, and FY2026-27 carries them forward until the Finance
# Act 2026 figures are confirmed): each expected figure is worked in the comment.
SLAB_CASES = [
    ("0", "0.00"),
    ("600000", "0.00"),  # top of the nil slab
    ("600001", "0.15"),  # 15% of 1
    ("600000.01", "0.00"),  # 15% of 0.01 = 0.0015 -> 0.00 (half-even)
    ("1000000", "60000.00"),  # 15% of 400,000
    ("1200000", "90000.00"),  # 15% of 600,000
    ("1200001", "90000.20"),  # 90,000 + 20% of 1
    ("1600000", "170000.00"),  # 90,000 + 20% of 400,000
    ("1600001", "170000.30"),  # 170,000 + 30% of 1
    ("2000000", "290000.00"),  # 170,000 + 30% of 400,000 = 170,000 + 120,000
    ("3200000", "650000.00"),  # 170,000 + 30% of 1,600,000 = 170,000 + 480,000
    ("3200001", "650000.40"),  # 650,000 + 40% of 1
    ("5600000", "1610000.00"),  # 650,000 + 40% of 2,400,000 = 650,000 + 960,000
    ("5600001", "1610000.45"),  # 1,610,000 + 45% of 1
    ("6000000", "1790000.00"),  # 1,610,000 + 45% of 400,000 = 1,610,000 + 180,000
    ("10000000", "3590000.00"),  # 1,610,000 + 45% of 4,400,000 = 1,610,000 + 1,980,000
]


@pytest.mark.parametrize("fy", ["2024-25", "2025-26", "2026-27"])
@pytest.mark.parametrize(("income", "tax"), SLAB_CASES)
def test_non_salaried_slabs(fy, income, tax):
    assert rules.non_salaried_tax(D(income), fy).tax == D(tax)


def test_slab_result_explains_itself_and_names_its_source():
    result = rules.non_salaried_tax(D("2000000"), "2025-26")
    assert (result.fixed, result.slab_from, result.rate) == (D("170000"), D("1600000"), D("0.30"))
    assert "170,000 + 30% of the amount above 1,600,000" == result.explanation
    assert "Finance Act 2025" in result.source


def test_negative_income_owes_nothing():
    assert rules.non_salaried_tax(D("-5000"), "2025-26").tax == D("0.00")


EXPORT_CASES = [
    # date, it, pseb, atl, rule id, rate
    # FY2024-25: the Tenth Schedule doubled s.154A for persons not on the ATL then too (FBR rate card).
    (date(2024, 7, 1), True, True, False, "154A-it-pseb-non-atl", "0.005"),
    (date(2025, 6, 30), True, True, True, "154A-it-pseb-atl", "0.0025"),
    (date(2025, 6, 30), True, False, True, "154A-services-atl", "0.01"),
    (date(2025, 1, 15), False, True, True, "154A-services-atl", "0.01"),
    (date(2025, 1, 15), False, False, False, "154A-services-non-atl", "0.02"),
    (date(2025, 7, 1), True, True, True, "154A-it-pseb-atl", "0.0025"),
    (date(2026, 6, 30), True, True, False, "154A-it-pseb-non-atl", "0.005"),
    (date(2025, 7, 1), True, False, True, "154A-services-atl", "0.01"),
    (date(2025, 7, 1), True, False, False, "154A-services-non-atl", "0.02"),
    (date(2025, 12, 1), False, True, True, "154A-services-atl", "0.01"),
    (date(2025, 12, 1), False, False, False, "154A-services-non-atl", "0.02"),
    # FY2026-27: chosen for every date of the new year, not the year before.
    (date(2026, 7, 1), True, True, True, "154A-it-pseb-atl", "0.0025"),
    (date(2026, 12, 1), True, True, False, "154A-it-pseb-non-atl", "0.005"),
    (date(2027, 6, 30), True, False, True, "154A-services-atl", "0.01"),
    (date(2027, 6, 30), False, False, False, "154A-services-non-atl", "0.02"),
]


@pytest.mark.parametrize(("on", "it", "pseb", "atl", "rule_id", "rate"), EXPORT_CASES)
def test_export_rules(on, it, pseb, atl, rule_id, rate):
    rule = rules.export_rule(on=on, it_services=it, pseb_registered=pseb, on_atl=atl)
    assert (rule.id, rule.rate) == (rule_id, D(rate))
    assert "154A" in rule.source
    assert rule.effective_from <= on <= rule.effective_to


def test_export_tax_on_a_remittance_worked_by_hand():
    # USD 1,000 at 280.1234 = PKR 280,123.40; 0.25% = 700.3085 -> 700.31; 0.5% = 1,400.617 -> 1,400.62
    pkr = D("280123.40")
    pseb_atl = rules.export_rule(on=date(2025, 8, 1), it_services=True, pseb_registered=True, on_atl=True)
    pseb_non_atl = rules.export_rule(on=date(2025, 8, 1), it_services=True, pseb_registered=True, on_atl=False)
    assert rules.tax_at(pkr, pseb_atl) == D("700.31")
    assert rules.tax_at(pkr, pseb_non_atl) == D("1400.62")
    # half-even at the paisa: 0.25% of 2.50 = 0.00625 -> 0.01; of 1.00 = 0.0025 -> 0.00
    assert rules.tax_at(D("2.50"), pseb_atl) == D("0.01")
    assert rules.tax_at(D("1.00"), pseb_atl) == D("0.00")


@pytest.mark.parametrize(
    ("on", "atl", "rate"),
    [
        (date(2024, 7, 1), True, "0.04"),
        (date(2025, 3, 1), False, "0.08"),
        (date(2026, 6, 30), True, "0.04"),
        (date(2026, 7, 1), False, "0.08"),
        (date(2027, 6, 30), True, "0.04"),
    ],
)
def test_domestic_withholding(on, atl, rate):
    rule = rules.domestic_withholding_rule(on=on, on_atl=atl)
    assert rule.rate == D(rate) and "153(1)(b)" in rule.source


def test_unknown_year_is_refused():
    with pytest.raises(rules.UnknownFiscalYear):
        rules.export_rule(on=date(2023, 6, 30), it_services=True, pseb_registered=True, on_atl=True)


@pytest.mark.parametrize(
    ("on", "label", "starts", "ends"),
    [
        (date(2025, 6, 30), "2024-25", date(2024, 7, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), "2025-26", date(2025, 7, 1), date(2026, 6, 30)),
        (date(2026, 1, 1), "2025-26", date(2025, 7, 1), date(2026, 6, 30)),
        ("2025-26", "2025-26", date(2025, 7, 1), date(2026, 6, 30)),
        ("2099", "2099-00", date(2099, 7, 1), date(2100, 6, 30)),
    ],
)
def test_fiscal_years_run_july_to_june(on, label, starts, ends):
    fy = rules.fiscal_year(on)
    assert (fy.label, fy.starts, fy.ends) == (label, starts, ends)


def test_fiscal_months_start_in_july():
    months = rules.fiscal_year("2025-26").months()
    assert months[0] == date(2025, 7, 1) and months[5] == date(2025, 12, 1) and months[11] == date(2026, 6, 1)


@pytest.mark.parametrize(
    ("proceeds", "allowed"),
    [
        ("0.00", "0.00"),
        ("3000.00", "3000.00"),  # under the floor: all of it
        ("5000.00", "5000.00"),
        ("8000.00", "5000.00"),  # 50% = 4,000 < 5,000 floor
        ("10000.00", "5000.00"),  # 50% = 5,000 = floor
        ("12000.00", "6000.00"),  # 50% = 6,000 > floor
        ("10000.01", "5000.00"),  # 50% = 5,000.005 -> 5,000.00 (half-even)
        ("10000.03", "5000.02"),  # 50% = 5,000.015 -> 5,000.02
    ],
)
def test_fcy_retention(proceeds, allowed):
    rule = rules.retention_rule(date(2025, 9, 1))
    assert rules.retention_allowance(D(proceeds), rule) == D(allowed)
    assert "State Bank" in rule.source


def test_every_rule_has_a_source_and_dates_inside_its_year():
    for label, year in rules.RULES.items():
        fy = rules.fiscal_year(label)
        assert (date.fromisoformat(year["starts"]), date.fromisoformat(year["ends"])) == (fy.starts, fy.ends)
        for group in ("export_of_services", "domestic_it_services_withholding"):
            for data in year[group]:
                assert data["source"] and D(data["rate"]) >= 0
                assert fy.starts <= date.fromisoformat(data["effective_from"]) <= fy.ends
                assert fy.starts <= date.fromisoformat(data["effective_to"]) <= fy.ends
                # a rule is either confirmed for its year or says which year it was carried from
                assert data.get("confirmed", True) or data["carried_from"] < label
        assert year["non_salaried_slabs"]["source"]


def test_s154a_rates_cite_division_iva_not_division_iv():
    # s.154A(1) points to Division IVA of Part III; Division IV is s.154 (exports of goods).
    for year in rules.RULES.values():
        for data in year["export_of_services"]:
            assert "Division IVA" in data["source"] and "Division IV " not in data["source"]
            if data["atl"] is False:
                assert "Tenth Schedule" in data["source"]


def test_fy2026_27_confirms_only_the_pseb_rate_and_carries_the_rest_forward():
    on = date(2026, 12, 1)
    pseb = rules.export_rule(on=on, it_services=True, pseb_registered=True, on_atl=True)
    assert pseb.confirmed and pseb.carried_from is None and "2029" in pseb.source
    others = [
        rules.export_rule(on=on, it_services=True, pseb_registered=True, on_atl=False),
        rules.export_rule(on=on, it_services=False, pseb_registered=False, on_atl=True),
        rules.export_rule(on=on, it_services=False, pseb_registered=False, on_atl=False),
        rules.domestic_withholding_rule(on=on, on_atl=True),
    ]
    assert all(not r.confirmed and r.carried_from == "2025-26" and "carried forward" in r.source for r in others)
    slabs = rules.non_salaried_tax(D("2000000"), "2026-27")
    assert not slabs.confirmed and "carried forward" in slabs.source


@pytest.mark.parametrize("on", [date(2027, 7, 1), date(2028, 3, 1)])
def test_a_later_year_without_rules_carries_the_latest_forward_and_says_so(on):
    basis = rules.year_basis(on)
    assert basis.carried_forward and basis.rules_from == rules.known_years()[-1]
    rule = rules.export_rule(on=on, it_services=True, pseb_registered=True, on_atl=True)
    assert rule.rate == D("0.0025") and not rule.confirmed and rule.carried_from == basis.rules_from
    assert rule.effective_from <= on <= rule.effective_to
    # 2,000,000: 170,000 + 30% of 400,000 = 290,000, from the carried-forward slabs
    slabs = rules.non_salaried_tax(D("2000000"), on)
    assert slabs.tax == D("290000.00") and not slabs.confirmed


def test_a_year_with_rules_is_not_carried_forward():
    assert not rules.year_basis("2026-27").carried_forward
    assert rules.year_basis(date(2026, 12, 1)).rules_from == "2026-27"


@pytest.mark.parametrize(
    ("text", "label"), [("2026-27", "2026-27"), ("2026-28", None), ("2026", None), ("abcd-ef", None), ("", None)]
)
def test_fiscal_year_labels_are_parsed_strictly(text, label):
    assert rules.parse_label(text) == label


@pytest.mark.parametrize(
    ("code", "it"),
    [("9102", True), ("9181", True), ("9182", True), ("9183", True), ("9184", True), ("9185", True),
     ("9186", True), (" 9184 ", True), ("9471", False)],
)  # fmt: skip
def test_purpose_codes_are_data_with_their_source(code, it):
    row = rules.purpose_code(code)
    assert row.it is it and row.source and row.description
    assert (code.strip() in rules.IT_PURPOSE_CODES) is it


def test_an_unknown_purpose_code_is_not_classified():
    assert rules.purpose_code("1234") is None and "1234" not in rules.IT_PURPOSE_CODES
    assert rules.IT_PURPOSE_CODES == frozenset({"9102", "9181", "9182", "9183", "9184", "9185", "9186"})
