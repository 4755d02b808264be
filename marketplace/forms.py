from datetime import date

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.countries import country_choices
from accounts.forms import SkillsField
from accounts.models import Availability, City
from common.widgets import PlainCheckboxSelectMultiple, PlainSelect
from ledger.forms import clean_money
from ledger.money import CURRENCY_CHOICES
from marketplace.models import BudgetType, Duration, ExperienceLevel, Visibility
from marketplace.services import MilestonePlan

MAX_MILESTONES = 6


class MoneyField(forms.CharField):
    """Text in, exact Decimal out; the currency comes from another field, so parsing happens in clean()."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)


_parse = clean_money


class JobForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=140)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000)
    skills = SkillsField(label=_("Skills"))
    budget_type = forms.ChoiceField(label=_("Budget type"), choices=BudgetType.choices, widget=forms.RadioSelect)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="USD")
    budget_min = MoneyField(label=_("Budget from"), help_text=_("For hourly jobs: the hourly rate range."))
    budget_max = MoneyField(label=_("Budget to"))
    duration = forms.ChoiceField(label=_("Expected duration"), choices=Duration.choices)
    experience_level = forms.ChoiceField(label=_("Experience level"), choices=ExperienceLevel.choices)
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=Visibility.choices, initial=Visibility.PUBLIC, widget=forms.RadioSelect
    )

    def clean(self):
        data = super().clean()
        currency = data.get("currency", "USD")
        data["budget_min"] = _parse(self, "budget_min", currency)
        data["budget_max"] = _parse(self, "budget_max", currency)
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and low <= 0:
            self.add_error("budget_min", _("The budget must be more than zero."))
        if low is not None and high is not None and high < low:
            self.add_error("budget_max", _("The top of the budget range is below its bottom."))
        return data


class ProposalForm(forms.Form):
    cover_letter = forms.CharField(
        label=_("Cover letter"), widget=forms.Textarea(attrs={"rows": 8}), max_length=8000, strip=True
    )
    bid = MoneyField(label=_("Your bid"))
    duration = forms.ChoiceField(label=_("Estimated duration"), choices=Duration.choices)

    def __init__(self, *args, job, **kwargs):
        self.job = job
        super().__init__(*args, **kwargs)
        self.fields["bid"].help_text = (
            _("Fixed price for the whole job, in %(currency)s.")
            if job.budget_type == BudgetType.FIXED
            else _("Your hourly rate, in %(currency)s.")
        ) % {"currency": job.currency}
        self.milestone_rows = []
        if job.budget_type == BudgetType.FIXED:
            for n in range(1, MAX_MILESTONES + 1):
                self.fields[f"m{n}_title"] = forms.CharField(label=_("Milestone %(n)d") % {"n": n}, required=False)
                self.fields[f"m{n}_amount"] = MoneyField(label=_("Amount"), required=False)
                self.fields[f"m{n}_due"] = forms.DateField(
                    label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
                self.milestone_rows.append((self[f"m{n}_title"], self[f"m{n}_amount"], self[f"m{n}_due"]))

    def clean(self):
        data = super().clean()
        if not (data.get("cover_letter") or "").strip():
            self.add_error("cover_letter", _("Write a cover letter: tell the client why you fit this job."))
        data["bid"] = _parse(self, "bid", self.job.currency)
        plans = []
        for n in range(1, MAX_MILESTONES + 1):
            title = (data.get(f"m{n}_title") or "").strip()
            raw_amount = data.get(f"m{n}_amount")
            due = data.get(f"m{n}_due")
            if not (title or raw_amount or due):
                continue
            amount = _parse(self, f"m{n}_amount", self.job.currency)
            if not title:
                self.add_error(f"m{n}_title", _("Give this milestone a title."))
            if amount is None and not self.has_error(f"m{n}_amount"):
                self.add_error(f"m{n}_amount", _("Enter the milestone's amount."))
            if due is None:
                self.add_error(f"m{n}_due", _("Enter a due date."))
            elif due < date.today():  # noqa: DTZ011 - a calendar date the user typed
                self.add_error(f"m{n}_due", _("The due date is in the past."))
            if title and amount is not None and due is not None:
                plans.append(MilestonePlan(title=title, amount=amount, due_date=due))
        data["milestones"] = plans
        return data

    @classmethod
    def initial_from(cls, proposal) -> dict:
        initial = {"cover_letter": proposal.cover_letter, "bid": proposal.bid, "duration": proposal.duration}
        for n, milestone in enumerate(proposal.milestones.all(), start=1):
            initial.update(
                {f"m{n}_title": milestone.title, f"m{n}_amount": milestone.amount, f"m{n}_due": milestone.due_date}
            )
        return initial


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional, shown to the freelancer)"), max_length=500, required=False)


class InviteForm(forms.Form):
    job = forms.ModelChoiceField(label=_("Job"), queryset=None, empty_label=None)
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args, jobs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].queryset = jobs


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)], widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your review"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=3000
    )


POSTED_WITHIN = [
    ("", _("Any time")),
    ("1", _("Last 24 hours")),
    ("3", _("Last 3 days")),
    ("7", _("Last week")),
    ("30", _("Last month")),
]


class _SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    skills = SkillsField(label=_("Skills"), required=False, widget=PlainCheckboxSelectMultiple)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", _("Any"))] + CURRENCY_CHOICES, required=False, widget=PlainSelect
    )

    def _range(self, data, low_name, high_name):
        currency = data.get("currency")
        if (data.get(low_name) or data.get(high_name)) and not currency:
            self.add_error("currency", _("Choose a currency for the range."))
            return None, None
        if not currency:
            return None, None
        return _parse(self, low_name, currency), _parse(self, high_name, currency)


class JobSearchForm(_SearchForm):
    budget_type = forms.ChoiceField(
        label=_("Budget type"),
        choices=[("", _("Any"))] + BudgetType.choices,
        required=False,
        widget=PlainSelect,
    )
    budget_min = MoneyField(label=_("Budget from"), required=False)
    budget_max = MoneyField(label=_("Budget to"), required=False)
    posted_within = forms.ChoiceField(label=_("Posted"), choices=POSTED_WITHIN, required=False, widget=PlainSelect)
    client_country = forms.ChoiceField(label=_("Client's country"), required=False, widget=PlainSelect)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Relevance")),
            ("newest", _("Newest")),
            ("budget_high", _("Budget: high to low")),
            ("budget_low", _("Budget: low to high")),
        ],
        widget=PlainSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_country"].choices = [("", _("Any"))] + country_choices(get_language() or "en")

    def clean(self):
        data = super().clean()
        data["budget_min"], data["budget_max"] = self._range(data, "budget_min", "budget_max")
        return data


class FreelancerSearchForm(_SearchForm):
    rate_min = MoneyField(label=_("Rate from"), required=False)
    rate_max = MoneyField(label=_("Rate to"), required=False)
    city = forms.ChoiceField(
        label=_("City"), choices=[("", _("Any"))] + City.choices, required=False, widget=PlainSelect
    )
    min_rating = forms.ChoiceField(
        label=_("Rating"),
        required=False,
        choices=[("", _("Any")), ("4.5", "4.5+"), ("4", "4+"), ("3", "3+")],
        widget=PlainSelect,
    )
    pseb = forms.BooleanField(label=_("PSEB registered only"), required=False)
    availability = forms.ChoiceField(
        label=_("Availability"),
        choices=[("", _("Any"))] + Availability.choices,
        required=False,
        widget=PlainSelect,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Relevance")),
            ("rating", _("Rating")),
            ("newest", _("Newest")),
            ("rate_low", _("Rate: low to high")),
            ("rate_high", _("Rate: high to low")),
        ],
        widget=PlainSelect,
    )

    def clean(self):
        data = super().clean()
        data["rate_min"], data["rate_max"] = self._range(data, "rate_min", "rate_max")
        return data
