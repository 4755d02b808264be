import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from books.models import ExpenseCategory, ImportFormat
from ledger.money import CURRENCY_CHOICES, MoneyError, parse_amount


class KeyedForm(forms.Form):
    """Carries a one-time key so a double submit records once (the services are idempotent on it)."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4().hex)


def _amount(form, field, currency_field="currency"):
    currency = form.cleaned_data.get(currency_field) or "PKR"
    try:
        return parse_amount(form.cleaned_data.get(field) or "", currency)
    except MoneyError as error:
        form.add_error(field, str(error))


class ExpenseForm(KeyedForm):
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("Amount"), max_length=20)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="PKR")
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    place = forms.CharField(label=_("Paid from"), max_length=30, initial="cash", help_text=_("cash, meezan, payoneer…"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    receipt = forms.FileField(label=_("Receipt (PDF, JPEG, PNG or WebP)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("occurred_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        data["amount"] = _amount(self, "amount")
        return data


class IncomeForm(KeyedForm):
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("Amount"), max_length=20)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="PKR")
    client = forms.CharField(label=_("Client"), max_length=120, required=False)
    place = forms.CharField(label=_("Received into"), max_length=30, initial="bank")
    tax_withheld = forms.CharField(label=_("Tax the client withheld (PKR)"), max_length=20, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        data["amount"] = _amount(self, "amount")
        if data.get("tax_withheld"):
            try:
                data["tax_withheld"] = parse_amount(data["tax_withheld"], "PKR")
            except MoneyError as error:
                self.add_error("tax_withheld", str(error))
        else:
            data["tax_withheld"] = 0
        return data


class RemittanceForm(KeyedForm):
    received_on = forms.DateField(label=_("Date credited"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=_("Foreign amount"), max_length=20)
    currency = forms.ChoiceField(label=_("Currency"), choices=[c for c in CURRENCY_CHOICES if c[0] != "PKR"])
    pkr_net = forms.CharField(label=_("PKR credited to your account"), max_length=20)
    tax_withheld = forms.CharField(label=_("Tax withheld by the bank (PKR)"), max_length=20, required=False)
    from_place = forms.CharField(
        label=_("Sent from"), max_length=30, initial="payoneer", help_text=_("payoneer, wise, or direct (client paid)")
    )
    client = forms.CharField(label=_("Client (if direct)"), max_length=120, required=False)
    bank = forms.CharField(label=_("Bank"), max_length=80, required=False)
    prc_number = forms.CharField(label=_("PRC number"), max_length=40, required=False)
    purpose_code = forms.CharField(label=_("Purpose code"), max_length=8, required=False, initial="9186")

    def clean(self):
        data = super().clean()
        data["amount"] = _amount(self, "amount")
        try:
            data["pkr_net"] = parse_amount(data.get("pkr_net") or "", "PKR")
            data["tax_withheld"] = parse_amount(data["tax_withheld"], "PKR") if data.get("tax_withheld") else 0
        except MoneyError as error:
            self.add_error(None, str(error))
        return data


class PrcForm(forms.Form):
    prc_number = forms.CharField(label=_("PRC number"), max_length=40, required=False)
    purpose_code = forms.CharField(label=_("Purpose code"), max_length=8, required=False)


class ImportForm(forms.Form):
    source_format = forms.ChoiceField(
        label=_("Statement from"),
        choices=[("auto", _("Detect automatically")), *ImportFormat.choices],
        initial="auto",
        help_text=_("Kamai recognises Payoneer, Wise, Upwork, Fiverr and bank statements from their columns; "
                    "choose one only if it guesses wrong."),
    )  # fmt: skip
    file = forms.FileField(label=_("CSV or XLSX file"))


class MappingForm(forms.Form):
    date = forms.ChoiceField(label=_("Date column"))
    amount = forms.ChoiceField(label=_("Amount column (money in positive, out negative)"), required=False)
    debit = forms.ChoiceField(label=_("…or the Debit / Withdrawal column (money out)"), required=False)
    credit = forms.ChoiceField(label=_("…and the Credit / Deposit column (money in)"), required=False)
    balance = forms.ChoiceField(label=_("Balance column"), required=False)
    currency = forms.ChoiceField(label=_("Currency column"), required=False)
    fixed_currency = forms.ChoiceField(
        label=_("…or the whole file is in"), choices=[("", "—"), *CURRENCY_CHOICES], required=False
    )
    description = forms.ChoiceField(label=_("Description column"), required=False)
    client = forms.ChoiceField(label=_("Client / counterparty column"), required=False)
    reference = forms.ChoiceField(label=_("Transaction ID column (best for finding duplicates)"), required=False)
    date_format = forms.ChoiceField(
        label=_("Dates are written"),
        choices=[("iso", "2025-01-31"), ("dmy", "31/01/2025"), ("mdy", "01/31/2025")],
    )
    decimal = forms.ChoiceField(label=_("Amounts are written"), choices=[("dot", "1,234.56"), ("comma", "1.234,56")])
    place = forms.CharField(label=_("Which account is this statement of?"), max_length=30, initial="bank")
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        max_length=60,
        required=False,
        help_text=_("A name, like Meezan current account: the next file with the same columns imports by itself."),
    )

    def __init__(self, *args, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        self.fields["date"].choices = choices
        for name in ("amount", "debit", "credit", "balance", "currency", "description", "client", "reference"):
            self.fields[name].choices = [("", "—"), *choices]


class BudgetForm(forms.Form):
    def __init__(self, *args, budgets=None, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in ExpenseCategory.choices:
            self.fields[value] = forms.CharField(label=label, required=False, max_length=20)
            if budgets and value in budgets:
                self.initial[value] = budgets[value]

    def clean(self):
        data = super().clean()
        for value, _label in ExpenseCategory.choices:
            try:
                data[value] = parse_amount(data.get(value) or "0", "PKR")
            except MoneyError as error:
                self.add_error(value, str(error))
        return data


class RecurringForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("expense", _("Expense")), ("income", _("Income"))])
    label = forms.CharField(label=_("Name"), max_length=80)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *ExpenseCategory.choices], required=False)
    amount = forms.CharField(label=_("Amount"), max_length=20)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="PKR")
    day_of_month = forms.IntegerField(label=_("Day of the month"), min_value=1, max_value=28, initial=1)

    def clean(self):
        data = super().clean()
        data["amount"] = _amount(self, "amount")
        return data


class CategoryRuleForm(forms.Form):
    pattern = forms.CharField(
        label=_("Words in the description"), max_length=100, help_text=_("For example: k-electric, nayatel, canva")
    )
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)


class RecategoriseForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    learn = forms.BooleanField(required=False)
    idempotency_key = forms.CharField(max_length=64)
