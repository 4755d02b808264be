"""Pakistani tax rules as data, one entry per fiscal year (July–June). A maintainer updates RULES after each
budget (Finance Act) without touching code: add a year, copy the previous one, change what the Act changed,
and give each rule its source and the dates it is in force. Tests in tax/tests/test_rules.py work every
slab boundary by hand, so a wrong edit fails loudly.

These rules drive estimates, not tax advice. Rates marked "verify" in their source should be checked
against the FBR withholding tax rate card for the year before relying on them.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledger.money import quantize

# --- The data -------------------------------------------------------------------------------------------

ITO = "Income Tax Ordinance 2001"
RULES: dict[str, dict] = {
    "2024-25": {
        "starts": "2024-07-01",
        "ends": "2025-06-30",
        # s.154A: final tax the bank deducts from export proceeds realized through banking channels.
        "export_of_services": [
            {
                "id": "154A-it-pseb",
                "label": "IT / IT-enabled services export, PSEB-registered",
                "service": "it",
                "pseb": True,
                "atl": None,
                "rate": "0.0025",
                "source": f"{ITO}, s.154A; First Schedule Part III Division IV (Finance Act 2024)",
                "effective_from": "2024-07-01",
                "effective_to": "2025-06-30",
            },
            {
                "id": "154A-services",
                "label": "Export of services (not PSEB-registered, or not IT)",
                "service": None,
                "pseb": None,
                "atl": None,
                "rate": "0.01",
                "source": f"{ITO}, s.154A; First Schedule Part III Division IV (Finance Act 2024)",
                "effective_from": "2024-07-01",
                "effective_to": "2025-06-30",
            },
        ],
        # First Schedule Part I Division I clause (1): individuals and AOPs other than salaried.
        "non_salaried_slabs": {
            "source": f"{ITO}, First Schedule Part I Division I (Finance Act 2024), non-salaried individuals",
            "effective_from": "2024-07-01",
            "effective_to": "2025-06-30",
            # (lower bound exclusive, fixed tax at the bound, rate on the excess)
            "slabs": [
                ("0", "0", "0"),
                ("600000", "0", "0.15"),
                ("1200000", "90000", "0.20"),
                ("1600000", "170000", "0.30"),
                ("3200000", "650000", "0.40"),
                ("5600000", "1610000", "0.45"),
            ],
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
        "export_of_services": [
            {
                "id": "154A-it-pseb-atl",
                "label": "IT / IT-enabled services export, PSEB-registered, on the Active Taxpayer List",
                "service": "it",
                "pseb": True,
                "atl": True,
                "rate": "0.0025",
                "source": f"{ITO}, s.154A; First Schedule Part III Division IV (Finance Act 2025)",
                "effective_from": "2025-07-01",
                "effective_to": "2026-06-30",
            },
            {
                "id": "154A-it-pseb-non-atl",
                "label": "IT / IT-enabled services export, PSEB-registered, not on the Active Taxpayer List",
                "service": "it",
                "pseb": True,
                "atl": False,
                "rate": "0.005",
                "source": f"{ITO}, s.154A; First Schedule Part III Division IV (Finance Act 2025)",
                "effective_from": "2025-07-01",
                "effective_to": "2026-06-30",
            },
            {
                "id": "154A-services-atl",
                "label": "Other export of services, on the Active Taxpayer List",
                "service": None,
                "pseb": None,
                "atl": True,
                "rate": "0.01",
                "source": f"{ITO}, s.154A; First Schedule Part III Division IV (Finance Act 2025)",
                "effective_from": "2025-07-01",
                "effective_to": "2026-06-30",
            },
            {
                "id": "154A-services-non-atl",
                "label": "Other export of services, not on the Active Taxpayer List",
                "service": None,
                "pseb": None,
                "atl": False,
                "rate": "0.02",
                "source": f"{ITO}, s.154A; First Schedule Part III Division IV (Finance Act 2025)",
                "effective_from": "2025-07-01",
                "effective_to": "2026-06-30",
            },
        ],
        "non_salaried_slabs": {
            "source": f"{ITO}, First Schedule Part I Division I (Finance Act 2025), non-salaried individuals",
            "effective_from": "2025-07-01",
            "effective_to": "2026-06-30",
            "slabs": [
                ("0", "0", "0"),
                ("600000", "0", "0.15"),
                ("1200000", "90000", "0.20"),
                ("1600000", "170000", "0.30"),
                ("3200000", "650000", "0.40"),
                ("5600000", "1610000", "0.45"),
            ],
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

# Purpose-of-payment code banks use for export proceeds of IT and IT-enabled services.
IT_PURPOSE_CODES = frozenset({"9186"})

# --- Reading it -----------------------------------------------------------------------------------------

DISCLAIMER = "Estimates from published rates, not tax advice. Check your return with a tax adviser or FBR."


def _plain(number: Decimal) -> str:
    """30.00 -> '30', 0.250 -> '0.25': a percentage as people write it."""
    return f"{number.normalize():f}"


class UnknownFiscalYear(LookupError):
    """No rules for the fiscal year of this date."""


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    rate: Decimal
    source: str
    effective_from: date
    effective_to: date | None

    @property
    def percent(self) -> Decimal:
        return _plain(self.rate * 100)


@dataclass(frozen=True)
class FiscalYear:
    label: str  # "2025-26"
    starts: date
    ends: date

    @property
    def start_year(self) -> int:
        return self.starts.year

    def months(self) -> list[date]:
        """First day of each fiscal month, July first."""
        return [date(self.starts.year + (m + 6) // 12, (m + 6) % 12 + 1, 1) for m in range(12)]


def fiscal_year_label(on: date) -> str:
    start = on.year if on.month >= 7 else on.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def fiscal_year(on: date | str) -> FiscalYear:
    """The fiscal year containing a date, or named like '2025-26' (or by its starting year, '2025')."""
    if isinstance(on, str):
        start = int(on.split("-")[0])
    else:
        start = on.year if on.month >= 7 else on.year - 1
    return FiscalYear(f"{start}-{(start + 1) % 100:02d}", date(start, 7, 1), date(start + 1, 6, 30))


def known_years() -> list[str]:
    return sorted(RULES)


def _year(on: date | str) -> dict:
    label = fiscal_year(on).label
    if label not in RULES:
        raise UnknownFiscalYear(f"No tax rules for fiscal year {label}.")
    return RULES[label]


def _rule(data: dict) -> Rule:
    return Rule(
        id=data["id"],
        label=data["label"],
        rate=Decimal(data["rate"]),
        source=data["source"],
        effective_from=date.fromisoformat(data["effective_from"]),
        effective_to=date.fromisoformat(data["effective_to"]) if data.get("effective_to") else None,
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
    return SlabResult(tax=max(tax, Decimal("0.00")), slab_from=bound, fixed=fixed, rate=rate, source=data["source"])


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
