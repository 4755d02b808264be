import uuid
from datetime import date

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from contracts.models import ContractKind
from contracts.providers import available_providers
from contracts.terms import MilestoneTerms, percent
from ledger.forms import NumberField, clean_money
from ledger.money import CURRENCY_CHOICES

MAX_MILESTONES = 6


_parse = clean_money


class IdempotentForm(forms.Form):
    """Money forms carry a key made when the page was drawn: a double-click or a resubmit acts once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class FundForm(IdempotentForm):
    provider = forms.ChoiceField(label=_("Pay by"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.code, p.label) for p in available_providers()]
        self.fields["provider"].choices = choices
        self.fields["provider"].initial = choices[0][0] if choices else None


class RetainerForm(FundForm):
    amount = forms.CharField(label=_("Amount"), max_length=20)


class _TermsFields(forms.Form):
    review_window_days = forms.IntegerField(label=_("Review window (days)"), min_value=1, max_value=60, initial=14)
    penalty_pct_per_week = NumberField(
        label=_("Late-funding penalty, % per week"), min_value=0, max_value=10, decimal_places=2, initial=1
    )
    penalty_cap_pct = NumberField(
        # xgettext:no-python-format
        label=_("Penalty cap, % of the milestone"),
        min_value=0,
        max_value=50,
        decimal_places=2,
        initial=10,
    )
    cancellation_terms = forms.CharField(
        label=_("Cancellation terms"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=3000
    )


def _milestone_fields(form, required_first: bool):
    form.milestone_rows = []
    for n in range(1, MAX_MILESTONES + 1):
        form.fields[f"m{n}_title"] = forms.CharField(
            label=_("Milestone %(n)d") % {"n": n}, required=False, max_length=140
        )
        form.fields[f"m{n}_amount"] = forms.CharField(label=_("Amount"), required=False, max_length=20)
        form.fields[f"m{n}_due"] = forms.DateField(
            label=_("Fund by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        form.milestone_rows.append((form[f"m{n}_title"], form[f"m{n}_amount"], form[f"m{n}_due"]))


def _milestones_from(form, data, currency) -> list[MilestoneTerms]:
    plans = []
    for n in range(1, MAX_MILESTONES + 1):
        title = (data.get(f"m{n}_title") or "").strip()
        raw, due = data.get(f"m{n}_amount"), data.get(f"m{n}_due")
        if not (title or raw or due):
            continue
        amount = _parse(form, f"m{n}_amount", currency)
        if not title:
            form.add_error(f"m{n}_title", _("Give this milestone a title."))
        if amount is None and not form.has_error(f"m{n}_amount"):
            form.add_error(f"m{n}_amount", _("Enter the milestone's amount."))
        if due is None:
            form.add_error(f"m{n}_due", _("Enter the date it should be funded by."))
        elif due < date.today():  # noqa: DTZ011 - a calendar date typed by the user
            form.add_error(f"m{n}_due", _("The date is in the past."))
        if title and amount is not None and due is not None:
            plans.append(MilestoneTerms(title, amount, due))
    return plans


class ContractForm(_TermsFields):
    client_email = forms.EmailField(label=_("Client's e-mail"))
    title = forms.CharField(label=_("Title"), max_length=140)
    kind = forms.ChoiceField(label=_("Type"), choices=ContractKind.choices, widget=forms.RadioSelect, initial="fixed")
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="USD")
    hourly_rate = forms.CharField(label=_("Hourly rate"), required=False, max_length=20)
    weekly_hour_cap = forms.IntegerField(label=_("Weekly hour cap"), required=False, min_value=1, max_value=80)

    field_order = ["client_email", "title", "kind", "currency", "hourly_rate", "weekly_hour_cap"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _milestone_fields(self, required_first=True)
        self.platform_fee_pct = percent(settings.KAMAI_PLATFORM_FEE_BP)

    def clean(self):
        data = super().clean()
        currency = data.get("currency", "USD")
        data["milestones"] = []
        if data.get("kind") == ContractKind.HOURLY:
            data["hourly_rate"] = _parse(self, "hourly_rate", currency)
            if data["hourly_rate"] is None and not self.has_error("hourly_rate"):
                self.add_error("hourly_rate", _("Enter the hourly rate."))
            if not data.get("weekly_hour_cap"):
                self.add_error("weekly_hour_cap", _("Enter the most hours a week the client will pay for."))
        else:
            data["hourly_rate"] = None
            data["milestones"] = _milestones_from(self, data, currency)
            if not data["milestones"] and not any(self.has_error(f"m{n}_title") for n in range(1, 7)):
                self.add_error("m1_title", _("A fixed-price contract needs at least one milestone."))
        return data


class TermsForm(_TermsFields):
    hourly_rate = forms.CharField(label=_("Hourly rate"), required=False, max_length=20)
    weekly_hour_cap = forms.IntegerField(label=_("Weekly hour cap"), required=False, min_value=1, max_value=80)

    def __init__(self, *args, contract, **kwargs):
        self.contract = contract
        super().__init__(*args, **kwargs)
        if contract.kind == ContractKind.FIXED:
            del self.fields["hourly_rate"]
            del self.fields["weekly_hour_cap"]
            _milestone_fields(self, required_first=False)
        else:
            self.milestone_rows = []

    def clean(self):
        data = super().clean()
        if self.contract.kind == ContractKind.HOURLY:
            data["hourly_rate"] = _parse(self, "hourly_rate", self.contract.currency)
            data["new_milestones"] = []
        else:
            data["new_milestones"] = _milestones_from(self, data, self.contract.currency)
        return data


class SubmitForm(forms.Form):
    message = forms.CharField(
        label=_("What are you delivering?"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    file = forms.FileField(label=_("File (optional)"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("What should change?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("What is the dispute about?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class EvidenceForm(forms.Form):
    text = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    file = forms.FileField(label=_("File (optional)"), required=False)


class DecideForm(forms.Form):
    to_freelancer = forms.CharField(label=_("To the freelancer"), max_length=20)
    to_client = forms.CharField(label=_("Back to the client"), max_length=20)
    decision = forms.CharField(
        label=_("Reason for the decision"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args, currency, **kwargs):
        self.currency = currency
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        data["to_freelancer"] = _parse(self, "to_freelancer", self.currency)
        data["to_client"] = _parse(self, "to_client", self.currency)
        return data


class TimeForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = NumberField(label=_("Hours"), min_value=0, max_value=24, decimal_places=2)
    memo = forms.CharField(label=_("What you worked on"), max_length=300)


class WeekTimeForm(TimeForm):
    """Log time on the week page: the day is one of that week's days, up to today."""

    day = forms.TypedChoiceField(label=_("Day"), coerce=date.fromisoformat)

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [(day.isoformat(), date_format(day, "l j M")) for day in days]


class WeekApproveForm(IdempotentForm):
    """Approve a week in review; the key makes a double click or a replayed confirmation bill nothing twice."""


class ConfirmPayInForm(forms.Form):
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=100)
    received = forms.CharField(label=_("Amount received"), max_length=30, required=False)

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean(self):
        data = super().clean()
        data["received"] = clean_money(self, "received", self.currency)
        return data
