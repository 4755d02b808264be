"""Forms parse what people type into exact values (Decimal via ledger.money.parse_amount) and say clearly
what is wrong; the services decide what is allowed. Money-changing forms carry a hidden one-time key so a
double submit is recorded once."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.countries import country_choices
from invoicing.calculations import LineInput, TaxInput
from invoicing.models import InvoiceSettings, LateFeeKind, MethodKind, PaymentMethod, RecurringFrequency
from invoicing.services import LateFeeRule
from ledger.forms import clean_money
from ledger.money import CURRENCY_CHOICES, MoneyError, parse_number

LINE_ROWS = 8
TAX_ROWS = 3
TERMS_CHOICES = [
    ("0", _("Due on receipt")),
    ("7", _("Net 7")),
    ("15", _("Net 15")),
    ("30", _("Net 30")),
    ("custom", _("Custom due date")),
]
DATE = forms.DateInput(attrs={"type": "date"})


MAX_QUANTITY = Decimal(1_000_000)


def _decimal(text: str, label: str, *, places: int = 3, max_value: Decimal = Decimal(100)) -> Decimal:
    """A quantity or a percentage, read by the same parser as amounts (ledger.money.parse_number)."""
    try:
        return parse_number(text, places=places, max_value=max_value)
    except MoneyError as error:
        raise forms.ValidationError(f"{label}: {error}") from None


def _money(form, name: str, currency: str, *, label) -> Decimal | None:
    return clean_money(form, name, currency, label=label)


class KeyField(forms.CharField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(max_length=100, required=False, **kwargs)


def new_key() -> str:
    return str(uuid.uuid4())


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    company = forms.CharField(label=_("Company"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"))
    address = forms.CharField(
        label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500, required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    default_currency = forms.ChoiceField(label=_("Default currency"), choices=CURRENCY_CHOICES, initial="USD")
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=0, max_value=365, initial=15, help_text=_("0 means due on receipt.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—")] + country_choices(get_language() or "en")


class LinesMixin:
    """Fixed rows of description / quantity / unit price (and tax name / rate), so the page needs no script."""

    line_rows = LINE_ROWS
    tax_rows = TAX_ROWS

    def _add_line_fields(self):
        for i in range(1, self.line_rows + 1):
            self.fields[f"l{i}_description"] = forms.CharField(label=_("Description"), max_length=300, required=False)
            self.fields[f"l{i}_quantity"] = forms.CharField(label=_("Quantity"), max_length=20, required=False)
            self.fields[f"l{i}_price"] = forms.CharField(label=_("Unit price"), max_length=20, required=False)
        for i in range(1, self.tax_rows + 1):
            self.fields[f"t{i}_name"] = forms.CharField(label=_("Tax"), max_length=60, required=False)
            self.fields[f"t{i}_rate"] = forms.CharField(label=_("Rate (%)"), max_length=10, required=False)

    @property
    def line_fields(self):
        return [
            (self[f"l{i}_description"], self[f"l{i}_quantity"], self[f"l{i}_price"])
            for i in range(1, self.line_rows + 1)
        ]

    @property
    def tax_fields(self):
        return [(self[f"t{i}_name"], self[f"t{i}_rate"]) for i in range(1, self.tax_rows + 1)]

    def _clean_lines(self, currency: str) -> tuple[list[LineInput], list[TaxInput]]:
        data = self.cleaned_data
        lines, taxes = [], []
        for i in range(1, self.line_rows + 1):
            description = (data.get(f"l{i}_description") or "").strip()
            quantity_text = (data.get(f"l{i}_quantity") or "").strip()
            price_text = (data.get(f"l{i}_price") or "").strip()
            if not (description or quantity_text or price_text):
                continue
            if not description:
                self.add_error(f"l{i}_description", _("Line %(n)d needs a description.") % {"n": i})
                continue
            try:
                quantity = _decimal(quantity_text or "1", _("Quantity"), max_value=MAX_QUANTITY)
            except forms.ValidationError as error:
                self.add_error(f"l{i}_quantity", error)
                continue
            if quantity <= 0:
                self.add_error(f"l{i}_quantity", _("Line %(n)d: the quantity must be more than zero.") % {"n": i})
                continue
            if quantity != quantity.quantize(Decimal("0.001")):
                self.add_error(f"l{i}_quantity", _("Line %(n)d: at most three decimals.") % {"n": i})
                continue
            price = _money(self, f"l{i}_price", currency, label=_("Line %(n)d") % {"n": i})
            if price is None:
                if not price_text:
                    self.add_error(f"l{i}_price", _("Line %(n)d needs a unit price.") % {"n": i})
                continue
            if price < 0:
                self.add_error(f"l{i}_price", _("Line %(n)d: the unit price cannot be negative.") % {"n": i})
                continue
            lines.append(LineInput(description, quantity, price))
        for i in range(1, self.tax_rows + 1):
            name = (data.get(f"t{i}_name") or "").strip()
            rate_text = (data.get(f"t{i}_rate") or "").strip()
            if not (name or rate_text):
                continue
            try:
                rate = _decimal(rate_text, _("Tax rate"))
            except forms.ValidationError as error:
                self.add_error(f"t{i}_rate", error)
                continue
            if not name or not Decimal(0) <= rate <= Decimal(100):
                self.add_error(f"t{i}_rate", _("A tax needs a name and a rate between 0 and 100%."))
                continue
            taxes.append(TaxInput(name, rate))
        if not lines and not self.errors:
            self.add_error(None, _("Add at least one line."))
        return lines, taxes


class InvoiceForm(LinesMixin, forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=None)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    issue_date = forms.DateField(label=_("Issue date"), widget=DATE)
    terms = forms.ChoiceField(label=_("Payment terms"), choices=TERMS_CHOICES, initial="15")
    due_date = forms.DateField(label=_("Due date"), widget=DATE, required=False, help_text=_("For custom terms."))
    discount = forms.CharField(
        label=_("Discount"), max_length=20, required=False, help_text=_("An amount (50.00) or a percentage (10%).")
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
    payment_method = forms.ModelChoiceField(label=_("Payment instructions"), queryset=None, required=False)
    urdu_labels = forms.BooleanField(label=_("Urdu labels on the PDF"), required=False)
    reminders_enabled = forms.BooleanField(label=_("Send reminders"), required=False, initial=True)
    remind_every_days_after = forms.IntegerField(
        label=_("Remind every N days while overdue"),
        min_value=0,
        max_value=90,
        required=False,
        help_text=_("Empty: use your settings."),
    )
    late_fee_kind = forms.ChoiceField(label=_("Late fee"), choices=LateFeeKind.choices, initial=LateFeeKind.NONE)
    late_fee_value = forms.CharField(
        label=_("Late fee per period"), max_length=20, required=False, help_text=_("A percentage or an amount.")
    )
    late_fee_period_days = forms.IntegerField(label=_("Late fee period (days)"), min_value=1, max_value=365, initial=30)
    late_fee_cap = forms.CharField(
        label=_("Late fees stop at (amount)"), max_length=20, required=False, help_text=_("Empty: no cap.")
    )
    key = KeyField()

    def __init__(self, *args, freelancer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = freelancer.direct_clients.all()
        self.fields["payment_method"].queryset = PaymentMethod.objects.filter(freelancer=freelancer)
        self._add_line_fields()

    def clean(self):
        data = super().clean()
        currency = data.get("currency") or "USD"
        issue = data.get("issue_date")
        terms = data.get("terms")
        if issue and terms:
            if terms == "custom":
                if not data.get("due_date"):
                    self.add_error("due_date", _("Give the due date for custom terms."))
            else:
                data["due_date"] = issue + timedelta(days=int(terms))
        if issue and data.get("due_date") and data["due_date"] < issue:
            self.add_error("due_date", _("The due date cannot be before the issue date."))
        data["discount_percent"], data["discount_fixed"] = Decimal(0), Decimal(0)
        discount = (data.get("discount") or "").strip()
        if discount.endswith("%"):
            try:
                data["discount_percent"] = _decimal(discount[:-1], _("Discount"))
            except forms.ValidationError as error:
                self.add_error("discount", error)
            else:
                if not Decimal(0) <= data["discount_percent"] <= Decimal(100):
                    self.add_error("discount", _("A discount is between 0 and 100%."))
        elif discount:
            amount = _money(self, "discount", currency, label=_("Discount"))
            if amount is not None and amount < 0:
                self.add_error("discount", _("A discount cannot be negative."))
            data["discount_fixed"] = amount or Decimal(0)
        kind = data.get("late_fee_kind") or LateFeeKind.NONE
        value_text = (data.get("late_fee_value") or "").strip().rstrip("%")
        rule = LateFeeRule(kind=kind, period_days=data.get("late_fee_period_days") or 30)
        if kind != LateFeeKind.NONE:
            if not value_text:
                self.add_error("late_fee_value", _("Give the late fee per period."))
            elif kind == LateFeeKind.PERCENT:
                try:
                    percent = _decimal(value_text, _("Late fee"))
                    if percent <= 0 or percent > 100:
                        raise forms.ValidationError(_("A late-fee percentage is more than 0 and at most 100."))
                    rule = LateFeeRule(kind=kind, percent=percent, period_days=rule.period_days)
                except forms.ValidationError as error:
                    self.add_error("late_fee_value", error)
            else:
                fixed = _money(self, "late_fee_value", currency, label=_("Late fee"))
                if fixed is not None and fixed <= 0:
                    self.add_error("late_fee_value", _("A late fee must be more than zero."))
                rule = LateFeeRule(kind=kind, fixed=fixed or Decimal(0), period_days=rule.period_days)
            cap = _money(self, "late_fee_cap", currency, label=_("Late-fee cap")) if data.get("late_fee_cap") else None
            rule = LateFeeRule(rule.kind, rule.percent, rule.fixed, rule.period_days, cap)
        data["late_fee"] = rule
        data["lines"], data["taxes"] = self._clean_lines(currency)
        return data


class PaymentForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=20)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    method = forms.ChoiceField(label=_("Received through"), choices=MethodKind.choices)
    reference = forms.CharField(label=_("Reference"), max_length=120, required=False)
    realized_pkr = forms.CharField(
        label=_("Realized PKR (optional)"),
        max_length=20,
        required=False,
        help_text=_("What your bank credited in rupees for this payment."),
    )
    key = KeyField()

    def clean(self):
        data = super().clean()
        currency = data.get("currency") or "USD"
        data["amount"] = _money(self, "amount", currency, label=_("Amount"))
        if data["amount"] is not None and data["amount"] <= 0:
            self.add_error("amount", _("The payment must be more than zero."))
        data["realized_pkr"] = _money(self, "realized_pkr", "PKR", label=_("Realized PKR"))
        received = data.get("received_on")
        if received and received > timezone.localdate():
            self.add_error("received_on", _("A payment date cannot be in the future."))
        return data


class CreditNoteForm(forms.Form):
    amount = forms.CharField(label=_("Amount to credit"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    key = KeyField()

    def __init__(self, *args, currency, **kwargs):
        self.currency = currency
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        data["amount"] = _money(self, "amount", self.currency, label=_("Amount"))
        if data["amount"] is not None and data["amount"] <= 0:
            self.add_error("amount", _("The credit must be more than zero."))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = InvoiceSettings
        fields = [
            "number_prefix",
            "credit_note_prefix",
            "default_terms_days",
            "reminders_enabled",
            "remind_days_before",
            "remind_on_due_date",
            "remind_every_days_after",
            "late_fee_percent",
            "late_fee_period_days",
            "late_fee_cap_percent",
            "business_name",
            "business_address",
            "show_ntn",
        ]


class PaymentMethodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MethodKind.choices)
    label = forms.CharField(label=_("Name"), max_length=80, help_text=_("e.g. Meezan Bank PKR, Payoneer USD"))
    iban = forms.CharField(label=_("IBAN"), max_length=40, required=False)
    details = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False
    )


class RecurringForm(LinesMixin, forms.Form):
    line_rows = 5
    tax_rows = 2
    client = forms.ModelChoiceField(label=_("Client"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=120)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    frequency = forms.ChoiceField(label=_("Repeats"), choices=RecurringFrequency.choices, initial="monthly")
    start_date = forms.DateField(label=_("First invoice on"), widget=DATE)
    end_date = forms.DateField(label=_("Last invoice on or before"), widget=DATE, required=False)
    max_count = forms.IntegerField(label=_("Number of invoices"), min_value=1, max_value=1000, required=False)
    terms_days = forms.IntegerField(label=_("Payment terms (days)"), min_value=0, max_value=365, initial=15)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)
    payment_method = forms.ModelChoiceField(label=_("Payment instructions"), queryset=None, required=False)

    def __init__(self, *args, freelancer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = freelancer.direct_clients.all()
        self.fields["payment_method"].queryset = PaymentMethod.objects.filter(freelancer=freelancer)
        self._add_line_fields()

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        data["lines"], data["taxes"] = self._clean_lines(data.get("currency") or "USD")
        return data
