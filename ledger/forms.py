"""Form helpers for amounts typed by people."""

from decimal import Decimal

from ledger.money import MoneyError, parse_amount


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
