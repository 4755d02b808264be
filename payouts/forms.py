import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.iban import validate_pk_iban
from ledger.money import CURRENCY_CHOICES, MoneyError, parse_amount
from payouts.models import DEFAULT_PURPOSE_CODE, BankAccountKind
from payouts.selectors import bank_accounts_for

FCY_CHOICES = [("", _("— for FCY accounts —"))] + [(c, c) for c, _label in CURRENCY_CHOICES if c != "PKR"]


class IdempotentForm(forms.Form):
    """Money forms carry a key made when the page was drawn: a double-click or a resubmit acts once."""

    # Optional here because an API client may send the Idempotency-Key header instead; the service refuses a
    # request that carries neither.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class BankAccountForm(forms.Form):
    title = forms.CharField(
        label=_("Account title"), max_length=120, help_text=_("The name the account is in, as on your cheque book.")
    )
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=40,
        help_text=_("24 characters starting with PK, e.g. PK36 SCBL 0000 0011 2345 6702. Spaces are fine."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of account"), choices=BankAccountKind.choices, widget=forms.RadioSelect, initial="pkr"
    )
    currency = forms.ChoiceField(label=_("Currency of the FCY account"), choices=FCY_CHOICES, required=False)
    bank_name = forms.CharField(
        label=_("Bank"), max_length=120, required=False, help_text=_("Left empty, we name it from the IBAN.")
    )

    def clean_iban(self):
        return validate_pk_iban(self.cleaned_data.get("iban", ""))

    def clean(self):
        data = super().clean()
        if data.get("kind") == BankAccountKind.FCY and not data.get("currency"):
            self.add_error("currency", _("Choose the currency the FCY account is in."))
        if data.get("kind") == BankAccountKind.PKR:
            data["currency"] = "PKR"
        return data


class WithdrawalForm(IdempotentForm):
    currency = forms.ChoiceField(label=_("From my wallet in"))
    amount = forms.CharField(label=_("Amount to withdraw"), max_length=20, help_text=_("Kamai's fee comes out of it."))
    bank_account = forms.ModelChoiceField(
        label=_("To the bank account"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, user, currencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, c) for c in currencies]
        accounts = bank_accounts_for(user=user)
        self.fields["bank_account"].queryset = accounts
        if len(accounts) == 1:  # the usual case: nothing to choose
            self.fields["bank_account"].initial = accounts[0].pk

    def clean(self):
        data = super().clean()
        currency, raw = data.get("currency"), data.get("amount")
        if currency and raw:
            try:
                data["amount"] = parse_amount(raw, currency)
            except MoneyError as error:
                self.add_error("amount", str(error))
        return data


class SettleForm(IdempotentForm):
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=80)
    realized_pkr = forms.CharField(
        label=_("PKR credited"), max_length=20, required=False, help_text=_("From the bank's advice.")
    )
    tax_withheld = forms.CharField(
        label=_("Tax the bank withheld (PKR)"),
        max_length=20,
        required=False,
        help_text=_("s.154A, as stated on the bank's advice or PRC."),
    )
    prc_number = forms.CharField(label=_("PRC number"), max_length=80, required=False)
    variance_reason = forms.CharField(
        label=_("Why the PKR differs from the expected amount"), max_length=300, required=False
    )
    purpose_code = forms.CharField(label=_("Purpose code"), max_length=8, initial=DEFAULT_PURPOSE_CODE)

    def _pkr(self, name):
        raw = self.cleaned_data.get(name)
        if not raw:
            return None
        try:
            return parse_amount(raw, "PKR")
        except MoneyError as error:
            raise ValidationError(str(error)) from None

    def clean_realized_pkr(self):
        return self._pkr("realized_pkr")

    def clean_tax_withheld(self):
        return self._pkr("tax_withheld")


class FailForm(IdempotentForm):
    reason = forms.CharField(label=_("Why it failed"), max_length=500)
