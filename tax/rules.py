"""Pakistani tax rules as data, one entry per fiscal year (July–June). A maintainer updates RULES after each
budget (Finance Act) without touching code: add a year, copy the previous one, change what the Act changed,
and give each rule its source and the dates it is in force. A rate copied forward without a source for the new
year carries `"confirmed": False` and `"carried_from"`, and the tax page shows it as "carried forward, not yet
confirmed". Tests in tax/tests/test_rules.py work every slab boundary by hand, so a wrong edit fails loudly.

A fiscal year after the latest one in RULES never falls back silently: its estimate uses the latest year's
rules, each marked carried forward (year_basis says so). A year before the first one in RULES has no rules.

These rules drive estimates, not tax advice. docs/TAX_RULES.md lists every rate with its source.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from common.fiscal import FiscalYear, fiscal_year, fiscal_year_label  # noqa: F401 (tax speaks in fiscal years)
from ledger.money import quantize

# --- The data -------------------------------------------------------------------------------------------

ITO = "Income Tax Ordinance 2001"
# s.154A(1) sends the bank to "the rates specified in Division IVA of Part III of the First Schedule" (Division IV
# is s.154, exports of goods). Rule 1 of the Tenth Schedule doubles the rate for a person not on the Active
# Taxpayers List; FBR's rate cards show that doubling on s.154A before FY2024-25 and in FY2025-26.
S154A_URL = "https://pakarbiter.com/laws-in-pakistan/income-tax-ordinance-2001/ito-section-154a/export-of-services"
DIV_IVA = f"{ITO}, s.154A(1) ({S154A_URL}); First Schedule Part III Division IVA"
TENTH = "Tenth Schedule rule 1: rate increased by 100% for persons not on the Active Taxpayers List"
RATE_CARD_OLD = "FBR withholding tax rate card, s.154A row (https://issuhub.com/view/index?id=227010&pageIndex=684)"
RATE_CARD_2025 = (
    "FBR Withholding Tax Card 2025 as reported 27 Aug 2025: 0.25%/0.5% PSEB IT, 1%/2% other services "
    "(https://pkrevenue.com/fbr-issues-withholding-tax-rates-for-export-of-services-in-fy26/amp)"
)
BUDGET_2026 = (
    "Budget 2026-27 as presented 12 Jun 2026: final tax regime for IT/ITeS exports extended to June 2029, "
    "registered IT exporters keep 0.25% (https://nukta.com/pakistan-budget-super-tax-cut-it-relief)"
)
NOT_FOUND_2026 = "no FY2026-27 figure found in the Finance Act 2026 sources searched"


def _carried(rule: dict, *, from_fy: str, to_fy: str, note: str = NOT_FOUND_2026) -> dict:
    """A rule copied into fiscal year `to_fy` without a source for that year: flagged, its old source kept."""
    start = int(to_fy[:4])
    return {
        **rule,
        "source": f"{rule['source']}; carried forward from FY{from_fy} ({note})",
        "effective_from": f"{start}-07-01",
        "effective_to": f"{start + 1}-06-30",
        "confirmed": False,
        "carried_from": from_fy,
    }


def _export_rules(fy: str, *, source: str, non_atl_source: str) -> list[dict]:
    """s.154A: final tax the bank deducts from export proceeds realized through banking channels, by whether
    the exporter is a PSEB-registered IT exporter and on the Active Taxpayers List."""
    start = int(fy[:4])
    dates = {"effective_from": f"{start}-07-01", "effective_to": f"{start + 1}-06-30"}
    it, other = "IT / IT-enabled services export, PSEB-registered", "Other export of services"
    atl, non_atl = "on the Active Taxpayer List", "not on the Active Taxpayer List"
    return [
        {"id": "154A-it-pseb-atl", "label": f"{it}, {atl}", "service": "it", "pseb": True, "atl": True,
         "rate": "0.0025", "source": source, **dates},
        {"id": "154A-it-pseb-non-atl", "label": f"{it}, {non_atl}", "service": "it", "pseb": True, "atl": False,
         "rate": "0.005", "source": non_atl_source, **dates},
        {"id": "154A-services-atl", "label": f"{other}, {atl}", "service": None, "pseb": None, "atl": True,
         "rate": "0.01", "source": source, **dates},
        {"id": "154A-services-non-atl", "label": f"{other}, {non_atl}", "service": None, "pseb": None,
         "atl": False, "rate": "0.02", "source": non_atl_source, **dates},
    ]  # fmt: skip


# First Schedule Part I Division I clause (1): individuals and AOPs other than salaried.
# (lower bound exclusive, fixed tax at the bound, rate on the excess)
NON_SALARIED_SLABS_2024 = [
    ("0", "0", "0"),
    ("600000", "0", "0.15"),
    ("1200000", "90000", "0.20"),
    ("1600000", "170000", "0.30"),
    ("3200000", "650000", "0.40"),
    ("5600000", "1610000", "0.45"),
]

RULES: dict[str, dict] = {
    "2024-25": {
        "starts": "2024-07-01",
        "ends": "2025-06-30",
        "export_of_services": _export_rules(
            "2024-25",
            source=f"{DIV_IVA} (Finance Act 2024); {RATE_CARD_OLD}",
            non_atl_source=f"{DIV_IVA} with the {TENTH} (Finance Act 2024); {RATE_CARD_OLD}",
        ),
        "non_salaried_slabs": {
            "source": f"{ITO}, First Schedule Part I Division I (Finance Act 2024), non-salaried individuals",
            "effective_from": "2024-07-01",
            "effective_to": "2025-06-30",
            "slabs": NON_SALARIED_SLABS_2024,
        },
        # s.153(1)(b): a Pakistani client paying for IT services withholds this (adjustable against the year's tax).
        "domestic_it_services_withholding": [
            {
                "id": "153-1b-it-atl",
                "label": "Domestic IT services, on the Active Taxpayer List",
                "atl": True,
                "rate": "0.04",
                "source": f"{ITO}, s.153(1)(b); First Schedule Part III Division III (verify against FBR rate card)",
                "effective_from": "2024-07-01",
                "effective_to": "2025-06-30",
            },
            {
                "id": "153-1b-it-non-atl",
                "label": "Domestic IT services, not on the Active Taxpayer List (Tenth Schedule: double rate)",
                "atl": False,
                "rate": "0.08",
                "source": f"{ITO}, s.153(1)(b) with the Tenth Schedule (verify against FBR rate card)",
                "effective_from": "2024-07-01",
                "effective_to": "2025-06-30",
            },
        ],
    },
    "2025-26": {
        "starts": "2025-07-01",
        "ends": "2026-06-30",
        "export_of_services": _export_rules(
            "2025-26",
            source=f"{DIV_IVA} (Finance Act 2025); {RATE_CARD_2025}",
            non_atl_source=f"{DIV_IVA} with the {TENTH} (Finance Act 2025); {RATE_CARD_2025}",
        ),
        "non_salaried_slabs": {
            "source": f"{ITO}, First Schedule Part I Division I (Finance Act 2025), non-salaried individuals",
            "effective_from": "2025-07-01",
            "effective_to": "2026-06-30",
            "slabs": NON_SALARIED_SLABS_2024,
        },
        "domestic_it_services_withholding": [
            {
                "id": "153-1b-it-atl",
                "label": "Domestic IT services, on the Active Taxpayer List",
                "atl": True,
                "rate": "0.04",
                "source": f"{ITO}, s.153(1)(b); First Schedule Part III Division III; FBR withholding tax card for "
                "tax year 2026 (IT and IT-enabled services: 4% ATL, 8% non-ATL)",
                "effective_from": "2025-07-01",
                "effective_to": "2026-06-30",
            },
            {
                "id": "153-1b-it-non-atl",
                "label": "Domestic IT services, not on the Active Taxpayer List (Tenth Schedule: double rate)",
                "atl": False,
                "rate": "0.08",
                "source": f"{ITO}, s.153(1)(b) with the Tenth Schedule; FBR withholding tax card for tax year 2026 "
                "(IT and IT-enabled services: 8% non-ATL)",
                "effective_from": "2025-07-01",
                "effective_to": "2026-06-30",
            },
        ],
    },
}

# FY2026-27 (Finance Act 2026): only the PSEB-registered IT exporter's 0.25% has a source for the year; the budget
# also changed other export rates (a combined 1.25% replacing 1% withholding + 1% advance tax), but no source
# found says how that applies to s.154A services, so those rates, the Tenth Schedule doubling, the slabs and
# s.153(1)(b) are carried forward from FY2025-26 and shown as not yet confirmed.
_PREVIOUS = RULES["2025-26"]
_EXPORT_2026 = _export_rules(
    "2026-27",
    source=f"{DIV_IVA} (Finance Act 2026); {BUDGET_2026}",
    non_atl_source=f"{DIV_IVA} with the {TENTH}",
)
RULES["2026-27"] = {
    "starts": "2026-07-01",
    "ends": "2027-06-30",
    "export_of_services": [
        _EXPORT_2026[0],
        _carried(_EXPORT_2026[1], from_fy="2025-26", to_fy="2026-27", note=f"{NOT_FOUND_2026}; {RATE_CARD_2025}"),
        _carried(
            _PREVIOUS["export_of_services"][2],
            from_fy="2025-26",
            to_fy="2026-27",
            note="the budget reportedly changed other export rates; no s.154A services figure found",
        ),
        _carried(
            _PREVIOUS["export_of_services"][3],
            from_fy="2025-26",
            to_fy="2026-27",
            note="the budget reportedly changed other export rates; no s.154A services figure found",
        ),
    ],
    "non_salaried_slabs": _carried(_PREVIOUS["non_salaried_slabs"], from_fy="2025-26", to_fy="2026-27"),
    "domestic_it_services_withholding": [
        _carried(rule, from_fy="2025-26", to_fy="2026-27") for rule in _PREVIOUS["domestic_it_services_withholding"]
    ],
}

# State Bank of Pakistan: how much of an IT exporter's or freelancer's proceeds may stay in foreign currency.
FCY_RETENTION = [
    {
        "id": "sbp-esfca-freelancers",
        "label": "Exporters' Special FCY Account: 50% of proceeds or USD 5,000 a month, whichever is higher",
        "share": "0.50",
        "monthly_floor": "5000.00",
        "floor_currency": "USD",
        "source": "State Bank of Pakistan, Foreign Exchange Manual ch. 12; EPD Framework for Freelancers (Oct 2023)",
        "effective_from": "2023-10-23",
        "effective_to": None,
    }
]

# Purpose-of-payment codes banks put on the PRC for export proceeds (SBP's reporting codes). IT exports are
# reported under several codes; an unknown code is flagged on the tax page, never silently taken as non-IT.
PASHA_CODES = "P@SHA, SBP IT & ITES export proceeds reporting codes (http://pasha.org.pk/sbp-reporting-codes/)"
PURPOSE_CODES: list[dict] = [
    {"code": "9102", "description": "Call centres", "it": True, "source": PASHA_CODES},
    {"code": "9181", "description": "Computer hardware consultancy services", "it": True, "source": PASHA_CODES},
    {"code": "9182", "description": "Software consultancy services (database services)", "it": True,
     "source": PASHA_CODES},
    {"code": "9183", "description": "Maintenance and repair of computers", "it": True, "source": PASHA_CODES},
    {"code": "9184", "description": "Export of computer software (design, development, programming)", "it": True,
     "source": PASHA_CODES},
    {"code": "9185", "description": "Other computer services", "it": True, "source": PASHA_CODES},
    {"code": "9186", "description": "Freelance IT and IT-enabled services (the code PSEB asks for on PRCs)",
     "it": True, "source": "PSEB renewal asks freelancers for PRCs with code 9186 (freelancer guide, "
     "https://r.home.koptein.de/r/FIREPakistan/comments/1ifbl4y/the_ultimate_guide_for_freelancers_233_pseb_and); "
     "description not checked against SBP's code list"},
    {"code": "9471", "description": "Home remittance (personal, not an export of services)", "it": False,
     "source": "The News, Freelancers' remittances (https://www.thenews.com.pk/tns/detail/923538-freelancers-remittances)"},
]  # fmt: skip
IT_PURPOSE_CODES = frozenset(row["code"] for row in PURPOSE_CODES if row["it"])

# --- Reading it -----------------------------------------------------------------------------------------

# Shown after "Estimate, not tax advice." on every tax page and statement, in the reader's language.
DISCLAIMER = _("The figures come from published rates. Check your return with a tax adviser or FBR.")


def _plain(number: Decimal) -> str:
    """30.00 -> '30', 0.250 -> '0.25': a percentage as people write it."""
    return f"{number.normalize():f}"


class UnknownFiscalYear(LookupError):
    """No rules for the fiscal year of this date (a year before the first one Kamai has rules for)."""


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    rate: Decimal
    source: str
    effective_from: date
    effective_to: date | None
    confirmed: bool = True
    carried_from: str | None = None  # the fiscal year whose rate this is, when copied forward unconfirmed

    @property
    def percent(self) -> Decimal:
        return _plain(self.rate * 100)


def parse_label(text: str) -> str | None:
    """'2026-27' as typed in a URL, or None if it does not name a fiscal year."""
    head, sep, tail = text.partition("-")
    if not (sep and len(head) == 4 and head.isdigit() and len(tail) == 2 and tail.isdigit()):
        return None
    label = fiscal_year(head).label
    return label if label == text else None


def known_years() -> list[str]:
    return sorted(RULES)


@dataclass(frozen=True)
class YearBasis:
    """Which year's rules an estimate for fiscal year `fy` uses: its own, or the latest year's carried forward."""

    fy: str
    rules_from: str

    @property
    def carried_forward(self) -> bool:
        return self.fy != self.rules_from


def year_basis(on: date | str) -> YearBasis:
    """The rules for a fiscal year: its own if Kamai has them; for a later year, the latest year's rules carried
    forward (and flagged); for a year before the first, none (UnknownFiscalYear)."""
    label = fiscal_year(on).label
    if label in RULES:
        return YearBasis(label, label)
    latest = known_years()[-1]
    if label > latest:
        return YearBasis(label, latest)
    raise UnknownFiscalYear(f"No tax rules for fiscal year {label}.")


def _year(on: date | str) -> dict:
    """The year's rules as data; a later year without rules gets the latest year's, each marked carried forward
    and in force for the whole asked year."""
    basis = year_basis(on)
    data = RULES[basis.rules_from]
    if not basis.carried_forward:
        return data
    last_day = date.fromisoformat(data["ends"])
    note = f"Kamai has no rules for FY{basis.fy} yet"

    def carry(rule: dict) -> dict:
        carried = _carried(rule, from_fy=rule.get("carried_from", basis.rules_from), to_fy=basis.fy, note=note)
        return carried if "carried_from" not in rule else {**carried, "source": f"{rule['source']}; {note}"}

    return {
        "starts": fiscal_year(basis.fy).starts.isoformat(),
        "ends": fiscal_year(basis.fy).ends.isoformat(),
        "export_of_services": [carry(r) for r in data["export_of_services"] if _in_force(r, last_day)],
        "non_salaried_slabs": carry(data["non_salaried_slabs"]),
        "domestic_it_services_withholding": [
            carry(r) for r in data["domestic_it_services_withholding"] if _in_force(r, last_day)
        ],
    }


def _rule(data: dict) -> Rule:
    return Rule(
        id=data["id"],
        label=data["label"],
        rate=Decimal(data["rate"]),
        source=data["source"],
        effective_from=date.fromisoformat(data["effective_from"]),
        effective_to=date.fromisoformat(data["effective_to"]) if data.get("effective_to") else None,
        confirmed=data.get("confirmed", True),
        carried_from=data.get("carried_from"),
    )


def _in_force(data: dict, on: date) -> bool:
    starts = date.fromisoformat(data["effective_from"])
    ends = date.fromisoformat(data["effective_to"]) if data.get("effective_to") else None
    return starts <= on and (ends is None or on <= ends)


def export_rule(*, on: date, it_services: bool, pseb_registered: bool, on_atl: bool) -> Rule:
    """The s.154A rule for export proceeds realized on `on`, given the exporter's status that day."""
    for data in _year(on)["export_of_services"]:
        if not _in_force(data, on):
            continue
        if data["service"] == "it" and not it_services:
            continue
        if data["pseb"] is not None and data["pseb"] != pseb_registered:
            continue
        if data["atl"] is not None and data["atl"] != on_atl:
            continue
        return _rule(data)
    raise UnknownFiscalYear(f"No export rule in force on {on.isoformat()}.")


def domestic_withholding_rule(*, on: date, on_atl: bool) -> Rule:
    """s.153(1)(b): what a Pakistani client withholds when paying for IT services on `on`."""
    for data in _year(on)["domestic_it_services_withholding"]:
        if _in_force(data, on) and data["atl"] == on_atl:
            return _rule(data)
    raise UnknownFiscalYear(f"No s.153(1)(b) rule in force on {on.isoformat()}.")


def tax_at(amount_pkr: Decimal, rule: Rule) -> Decimal:
    """A flat-rate tax, rounded once to the paisa with the one rounding rule (ledger.money)."""
    return quantize(amount_pkr * rule.rate, "PKR")


@dataclass(frozen=True)
class SlabResult:
    tax: Decimal
    slab_from: Decimal
    fixed: Decimal
    rate: Decimal
    source: str
    confirmed: bool = True

    @property
    def explanation(self) -> str:
        if not self.rate:
            return "0"
        return f"{self.fixed:,.0f} + {_plain(self.rate * 100)}% of the amount above {self.slab_from:,.0f}"


def slabs_source(fy: str) -> str:
    return _year(fy)["non_salaried_slabs"]["source"]


def non_salaried_tax(taxable_pkr: Decimal, fy: date | str) -> SlabResult:
    """Normal-regime tax on a non-salaried individual's taxable income for the fiscal year."""
    data = _year(fy)["non_salaried_slabs"]
    chosen = data["slabs"][0]
    for slab in data["slabs"]:
        if taxable_pkr > Decimal(slab[0]):
            chosen = slab
    bound, fixed, rate = (Decimal(x) for x in chosen)
    tax = quantize(fixed + (max(taxable_pkr, Decimal(0)) - bound) * rate, "PKR") if rate else Decimal("0.00")
    return SlabResult(
        tax=max(tax, Decimal("0.00")),
        slab_from=bound,
        fixed=fixed,
        rate=rate,
        source=data["source"],
        confirmed=data.get("confirmed", True),
    )


@dataclass(frozen=True)
class PurposeCode:
    code: str
    description: str
    it: bool
    source: str


def purpose_code(code: str) -> PurposeCode | None:
    """The purpose code's row in PURPOSE_CODES, or None for a code Kamai does not know."""
    for row in PURPOSE_CODES:
        if row["code"] == code.strip():
            return PurposeCode(**row)
    return None


@dataclass(frozen=True)
class RetentionRule:
    id: str
    label: str
    share: Decimal
    monthly_floor: Decimal
    floor_currency: str
    source: str


def retention_rule(on: date) -> RetentionRule:
    for data in FCY_RETENTION:
        if _in_force(data, on):
            return RetentionRule(
                id=data["id"],
                label=data["label"],
                share=Decimal(data["share"]),
                monthly_floor=Decimal(data["monthly_floor"]),
                floor_currency=data["floor_currency"],
                source=data["source"],
            )
    raise LookupError(f"No foreign-currency retention rule in force on {on.isoformat()}.")


def retention_allowance(month_proceeds: Decimal, rule: RetentionRule) -> Decimal:
    """How much of a month's proceeds (in the floor currency) may stay in foreign currency: the higher of the
    share and the monthly floor, never more than was received."""
    return quantize(max(month_proceeds * rule.share, min(month_proceeds, rule.monthly_floor)), rule.floor_currency)
