"""Form helpers for amounts typed by people."""

from decimal import Decimal

from django import forms

from ledger.money import MoneyError, parse_amount, parse_number


def clean_money(form, name: str, currency: str, *, label=None) -> Decimal | None:
    """Parse the form's text field `name` as an exact amount in `currency`. Empty gives None; bad input adds
    the money module's message to the field (prefixed with `label` when given) and gives None."""
    raw = form.cleaned_data.get(name)
    if raw in (None, ""):
        return None
    try:
        return parse_amount(raw, currency)
    except MoneyError as error:
        form.add_error(name, f"{label}: {error}" if label else str(error))
        return None


class NumberField(forms.DecimalField):
    """A DecimalField that reads what people type with the money parser's rules (no exponents, underscores,
    NaN or other scripts' digits; a sign only when negative values are allowed); bounds stay its own."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        allow_negative = self.min_value is None or self.min_value < 0
        try:
            return parse_number(value, places=self.decimal_places or 10, allow_negative=allow_negative)
        except MoneyError as error:
            raise forms.ValidationError(str(error), code="invalid") from None
