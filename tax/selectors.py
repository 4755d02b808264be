"""The tax estimate for a fiscal year, read from the books: s.154A on each remittance (deducted vs what the
rule says), s.154A still to come on foreign receipts not yet remitted, normal-regime tax on domestic income
less its share of expenses with s.153(1)(b) withholding credited, a projection to the year's end and a monthly
set-aside. Estimates, not tax advice (tax.rules.DISCLAIMER)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet

from books import selectors as books
from books.models import Entry, EntryKind, ExpenseCategory
from books.rates import RateBook
from books.selectors import remittances, sums_total
from ledger.money import from_minor, quantize
from tax import rules
from tax.models import ServiceKind, TaxProfile

MISMATCH_TOLERANCE_MINOR = 100  # Rs 1: banks round per remittance


@dataclass(frozen=True)
class Status:
    """What the freelancer was on each day: PSEB-registered, on the ATL; and what they export."""

    pseb_number: str
    pseb_from: date | None
    pseb_until: date | None
    atl_since: date | None
    atl_until: date | None
    it_services: bool

    def pseb_on(self, on: date) -> bool:
        return (
            bool(self.pseb_number)
            and (self.pseb_from is None or self.pseb_from <= on)
            and (self.pseb_until is None or on <= self.pseb_until)
        )

    def atl_on(self, on: date) -> bool:
        return self.atl_since is not None and self.atl_since <= on and (self.atl_until is None or on < self.atl_until)

    def change_days(self) -> list[date]:
        days = [self.pseb_from, self.atl_since, self.atl_until]
        if self.pseb_until:
            days.append(self.pseb_until + timedelta(days=1))
        return sorted(d for d in days if d)


def status_of(user) -> Status:
    profile = getattr(user, "freelancer_profile", None)
    tax_profile = TaxProfile.objects.filter(user=user).first() or TaxProfile(user=user)
    return Status(
        pseb_number=getattr(profile, "pseb_registration_number", "") or "",
        pseb_from=tax_profile.pseb_registered_on,
        pseb_until=getattr(profile, "pseb_expires_on", None),
        atl_since=tax_profile.atl_since,
        atl_until=tax_profile.atl_until,
        it_services=tax_profile.service_kind == ServiceKind.IT,
    )


def export_rule_on(status: Status, on: date, *, it_services: bool | None = None) -> rules.Rule:
    return rules.export_rule(
        on=on,
        it_services=status.it_services if it_services is None else it_services,
        pseb_registered=status.pseb_on(on),
        on_atl=status.atl_on(on),
    )


@dataclass
class RemittanceCheck:
    remittance: object
    rule: rules.Rule
    expected_minor: int
    mismatch: bool
    # The purpose code's row, or None when the remittance carries a code Kamai does not know (or none).
    purpose: rules.PurposeCode | None = None
    treated_as_it: bool = False

    @property
    def code_unknown(self) -> bool:
        return bool(self.remittance.purpose_code) and self.purpose is None

    @property
    def expected(self):
        return from_minor(self.expected_minor, "PKR")

    @property
    def difference(self):
        return from_minor(self.remittance.tax_withheld_minor - self.expected_minor, "PKR")


@dataclass
class RuleGroup:
    rule: rules.Rule
    start: date
    end: date
    count: int
    pkr_minor: int
    tax_minor: int

    @property
    def pkr(self):
        return from_minor(self.pkr_minor, "PKR")

    @property
    def tax(self):
        return from_minor(self.tax_minor, "PKR")


@dataclass(frozen=True)
class FinalTaxChecklist:
    """What Kamai knows of the s.154A(2) conditions for the year: PSEB registration from the profile and PRCs
    on the year's remittances. Whether the return and withholding statements were filed it cannot know."""

    pseb_number: str
    pseb_until: date | None
    pseb_valid: bool
    remittances: int
    with_prc: int

    @property
    def all_prcs(self) -> bool:
        return self.remittances > 0 and self.with_prc == self.remittances


@dataclass
class Estimate:
    fy: rules.FiscalYear
    as_of: date
    status: Status
    basis: rules.YearBasis | None = None
    checklist: FinalTaxChecklist | None = None
    checks: list[RemittanceCheck] = field(default_factory=list)
    export_groups: list[RuleGroup] = field(default_factory=list)
    export_income_minor: int = 0
    export_tax_minor: int = 0
    withheld_154a_minor: int = 0
    domestic_income_minor: int = 0
    expenses_minor: int = 0
    domestic_expenses_minor: int = 0
    slab: rules.SlabResult | None = None
    withheld_153_minor: int = 0
    domestic_withholding_rule: rules.Rule | None = None
    missing_rate: int = 0
    projection_factor: Decimal = Decimal(1)
    projected_tax_minor: int = 0
    set_aside_minor: int = 0
    months_left: int = 0
    lapse_extra_minor: int = 0
    lapse_rule: rules.Rule | None = None

    def __getattr__(self, name):
        # foo_minor -> foo as Decimal PKR, for templates
        if name.endswith("_pkr"):
            return from_minor(object.__getattribute__(self, name[:-4] + "_minor"), "PKR")
        raise AttributeError(name)

    @property
    def mismatches(self) -> int:
        return sum(1 for c in self.checks if c.mismatch)

    @property
    def unknown_codes(self) -> list[RemittanceCheck]:
        return [c for c in self.checks if c.code_unknown]

    @property
    def unconfirmed_rules(self) -> list[rules.Rule]:
        """Every rule this estimate used that is carried forward, not yet confirmed, once each."""
        used = [c.rule for c in self.checks] + [g.rule for g in self.export_groups]
        if self.domestic_withholding_rule:
            used.append(self.domestic_withholding_rule)
        seen, out = set(), []
        for rule in used:
            if not rule.confirmed and rule.id not in seen:
                seen.add(rule.id)
                out.append(rule)
        return out

    @property
    def domestic_taxable_minor(self) -> int:
        return max(self.domestic_income_minor - self.domestic_expenses_minor, 0)

    @property
    def domestic_tax_minor(self) -> int:
        return int(self.slab.tax.scaleb(2)) if self.slab else 0

    @property
    def domestic_due_minor(self) -> int:
        return max(self.domestic_tax_minor - self.withheld_153_minor, 0)

    @property
    def export_still_due_minor(self) -> int:
        return max(self.export_tax_minor - self.withheld_154a_minor, 0)

    @property
    def total_tax_minor(self) -> int:
        return self.export_tax_minor + self.domestic_tax_minor


def _income_sum(user, start: date, end: date, *, foreign: bool) -> dict:
    return sums_total(user=user, start=start, end=end, kind=EntryKind.INCOME, foreign=foreign)


def estimate(*, user, fy: str | date, today: date) -> Estimate:
    """The year's estimate. A fiscal year without rules of its own uses the latest year's, carried forward and
    marked so (est.basis); a year before the first one with rules raises rules.UnknownFiscalYear."""
    year = rules.fiscal_year(fy)
    basis = rules.year_basis(year.label)
    # A year not yet begun is estimated as of its first day (nothing to project yet); a past one as of its last.
    as_of = min(max(today, year.starts), year.ends)
    status = status_of(user)
    result = Estimate(fy=year, as_of=as_of, status=status, basis=basis)
    # s.154A on each remittance in the year: what the bank deducted vs what the rule says. The purpose code on
    # the PRC says whether it was an IT export; without a code, or with one Kamai does not know (flagged on the
    # page), the freelancer's declared kind of service decides.
    for remittance in remittances(user=user, start=year.starts, end=year.ends).order_by("received_on", "id"):
        purpose = rules.purpose_code(remittance.purpose_code) if remittance.purpose_code else None
        it = purpose.it if purpose else status.it_services
        rule = export_rule_on(status, remittance.received_on, it_services=it)
        expected = int(rules.tax_at(remittance.pkr_gross, rule).scaleb(2))
        result.withheld_154a_minor += remittance.tax_withheld_minor
        result.checks.append(
            RemittanceCheck(
                remittance,
                rule,
                expected,
                abs(remittance.tax_withheld_minor - expected) > MISMATCH_TOLERANCE_MINOR,
                purpose=purpose,
                treated_as_it=it,
            )
        )
    result.checklist = FinalTaxChecklist(
        pseb_number=status.pseb_number,
        pseb_until=status.pseb_until,
        pseb_valid=status.pseb_on(as_of),
        remittances=len(result.checks),
        with_prc=sum(1 for c in result.checks if c.remittance.prc_number),
    )
    # s.154A on all foreign receipts of the year, period by period of constant status.
    bounds = [year.starts] + [d for d in status.change_days() if year.starts < d <= year.ends]
    for i, start in enumerate(bounds):
        end = bounds[i + 1] - timedelta(days=1) if i + 1 < len(bounds) else year.ends
        sums = _income_sum(user, start, end, foreign=True)
        rule = export_rule_on(status, start)
        tax = int(rules.tax_at(from_minor(sums["pkr"], "PKR"), rule).scaleb(2))
        result.missing_rate += sums["missing"]
        if sums["count"]:
            result.export_groups.append(RuleGroup(rule, start, end, sums["count"], sums["pkr"], tax))
        result.export_income_minor += sums["pkr"]
        result.export_tax_minor += tax
    domestic = _income_sum(user, year.starts, year.ends, foreign=False)
    result.domestic_income_minor = domestic["pkr"]
    result.withheld_153_minor = domestic["withheld"]
    result.missing_rate += domestic["missing"]
    result.expenses_minor = sums_total(user=user, start=year.starts, end=year.ends, kind=EntryKind.EXPENSE)["pkr"]
    total_income = result.export_income_minor + result.domestic_income_minor
    # Export income bears a final tax, so only the domestic share of expenses reduces normal-regime income.
    if total_income > 0:
        result.domestic_expenses_minor = result.expenses_minor * result.domestic_income_minor // total_income
    result.domestic_withholding_rule = rules.domestic_withholding_rule(on=as_of, on_atl=status.atl_on(as_of))
    # Projection: the year so far scaled to twelve months (the past years are complete).
    elapsed = (as_of - year.starts).days + 1
    length = (year.ends - year.starts).days + 1
    in_progress = year.starts <= today <= year.ends
    result.projection_factor = Decimal(length) / Decimal(elapsed) if in_progress else Decimal(1)
    projected_domestic = quantize(from_minor(result.domestic_taxable_minor, "PKR") * result.projection_factor, "PKR")
    result.slab = rules.non_salaried_tax(from_minor(result.domestic_taxable_minor, "PKR"), year.label)
    projected_slab = rules.non_salaried_tax(projected_domestic, year.label)
    projected_export = quantize(from_minor(result.export_tax_minor, "PKR") * result.projection_factor, "PKR")
    result.projected_tax_minor = int((projected_export + projected_slab.tax).scaleb(2))
    projected_credits = quantize(
        from_minor(result.withheld_154a_minor + result.withheld_153_minor, "PKR") * result.projection_factor, "PKR"
    )
    if today <= year.ends:
        result.months_left = (year.ends.year - as_of.year) * 12 + year.ends.month - as_of.month + 1
        outstanding = max(result.projected_tax_minor - int(projected_credits.scaleb(2)), 0)
        result.set_aside_minor = outstanding // result.months_left if result.months_left else 0
    # The effect of PSEB lapsing: receipts from the expiry to the year's end at the non-PSEB rate.
    if status.pseb_until and year.starts <= status.pseb_until < year.ends and status.it_services:
        before = export_rule_on(status, status.pseb_until)
        after = export_rule_on(status, status.pseb_until + timedelta(days=1))
        if after.rate > before.rate:
            remaining_days = (year.ends - status.pseb_until).days
            daily = Decimal(result.export_income_minor) / Decimal(elapsed)
            result.lapse_extra_minor = int(quantize(daily * remaining_days * (after.rate - before.rate), "PKR"))
            result.lapse_rule = after
    return result


def receipt_rule(status: Status, entry: Entry) -> rules.Rule | None:
    """The rule applied to one income entry: s.154A for foreign receipts, s.153(1)(b) for domestic ones."""
    try:
        if entry.currency != "PKR":
            return export_rule_on(status, entry.occurred_on)
        return rules.domestic_withholding_rule(on=entry.occurred_on, on_atl=status.atl_on(entry.occurred_on))
    except rules.UnknownFiscalYear:
        return None


def statement(*, user, fy: str) -> dict:
    """The annual statement's figures: income by source, client and currency with PKR, tax deducted,
    remittances with PRC numbers, expenses by category."""

    year = rules.fiscal_year(fy)
    est = estimate(user=user, fy=fy, today=year.ends)
    labels = dict(ExpenseCategory.choices)
    expenses = books.expenses_by_category(user=user, start=year.starts, end=year.ends)
    for line in expenses:
        line["label"] = labels.get(line["category"], line["category"])
    return {
        "fy": year,
        "estimate": est,
        "by_source": books.income_by(user=user, start=year.starts, end=year.ends, field_name="source"),
        "by_client": books.income_by(user=user, start=year.starts, end=year.ends, field_name="client"),
        "totals": books.totals(user=user, start=year.starts, end=year.ends),
        "remittances": est.checks,
        "expenses": expenses,
    }


# --- Remittances: PRCs and foreign-currency retention (shown on the books' remittances page) ----------------


def remittances_missing_prc(*, user) -> QuerySet:
    return remittances(user=user).filter(Q(prc_number="") | ~Q(purpose_code__in=rules.IT_PURPOSE_CODES))


def with_retention(items: list) -> list:
    """Annotate each remittance with `may_retain` (in its currency) under the SBP rule: within a calendar
    month the allowance is max(50% of proceeds, min(proceeds, USD 5,000)); each remittance may keep what
    the month's allowance grew by when it arrived. Non-USD proceeds are measured in USD through PKR rates.
    A remittance from before any rule in rules.FCY_RETENTION gets None."""
    ordered = sorted(items, key=lambda r: (r.received_on, r.pk))
    rates = RateBook({r.currency for r in ordered} | {"USD"})
    month_total: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for remittance in ordered:
        try:
            rule = rules.retention_rule(remittance.received_on)
        except LookupError:
            # Before the first rule we know of: no figure rather than a wrong one (or a failed page).
            remittance.may_retain = remittance.retention_rule = None
            continue
        amount = remittance.amount
        if remittance.currency == rule.floor_currency:
            in_floor = amount
        else:
            own, usd = (
                rates.rate(remittance.currency, remittance.received_on),
                rates.rate("USD", remittance.received_on),
            )
            in_floor = quantize(amount * own / usd, rule.floor_currency) if own and usd else amount
        month = (remittance.received_on.year, remittance.received_on.month)
        before = rules.retention_allowance(month_total[month], rule)
        month_total[month] += in_floor
        grew = rules.retention_allowance(month_total[month], rule) - before
        share = grew / in_floor if in_floor else Decimal(0)
        remittance.may_retain = quantize(amount * share, remittance.currency)
        remittance.retention_rule = rule
    return items
