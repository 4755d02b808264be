"""A freelancer's invoice settings, payment methods and clients (no money moves)."""

from django.db import transaction
from django.utils.translation import gettext as _

from common.iban import iban_is_valid
from invoicing.errors import InvoicingError
from invoicing.models import (
    Client,
    InvoiceSettings,
    MethodKind,
    PaymentMethod,
)
from invoicing.services._common import _check_owner
from ledger.money import MoneyError, check_currency


def settings_get(*, freelancer) -> InvoiceSettings:
    row, _created = InvoiceSettings.objects.get_or_create(freelancer=freelancer)
    return row


def _check_prefix(prefix: str) -> str:
    prefix = prefix.strip()
    try:
        prefix.format(year=2026)
    except (KeyError, IndexError, ValueError):
        raise InvoicingError(_("A prefix may contain only {year} in braces.")) from None
    return prefix


@transaction.atomic
def settings_update(*, freelancer, **values) -> InvoiceSettings:
    row = InvoiceSettings.objects.select_for_update().get(pk=settings_get(freelancer=freelancer).pk)
    allowed = {
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
    }
    for name, value in values.items():
        if name not in allowed:
            raise InvoicingError(_("Unknown setting %(name)s.") % {"name": name})
        if name.endswith("_prefix"):
            value = _check_prefix(value)
        setattr(row, name, value)
    if row.late_fee_percent < 0 or row.late_fee_cap_percent < 0:
        raise InvoicingError(_("Percentages cannot be negative."))
    if row.late_fee_period_days < 1:
        raise InvoicingError(_("A late-fee period is at least one day."))
    row.save()
    return row


@transaction.atomic
def payment_method_add(*, freelancer, kind: str, label: str, iban: str = "", details: str = "") -> PaymentMethod:
    if kind not in MethodKind.values:
        raise InvoicingError(_("Choose a kind of payment method."))
    iban = iban.replace(" ", "").upper()
    if kind == MethodKind.BANK and not iban:
        raise InvoicingError(_("A bank account needs its IBAN."))
    if iban and not iban_is_valid(iban):
        raise InvoicingError(_("%(iban)s is not a valid IBAN; check the letters and digits.") % {"iban": iban})
    if not label.strip():
        raise InvoicingError(_("Give the payment method a name."))
    return PaymentMethod.objects.create(
        freelancer=freelancer, kind=kind, label=label.strip(), iban=iban, details=details.strip()
    )


@transaction.atomic
def client_save(
    *,
    freelancer,
    name: str,
    email: str,
    company: str = "",
    address: str = "",
    country: str = "",
    default_currency: str = "USD",
    payment_terms_days: int = 15,
    client: Client | None = None,
) -> Client:
    """Add a client to the freelancer's book, or edit one of theirs."""
    if client is not None:
        client = Client.objects.select_for_update().get(pk=client.pk)
        _check_owner(client, freelancer)
    if not name.strip():
        raise InvoicingError(_("A client needs a name."))
    try:
        check_currency(default_currency)
    except MoneyError as error:
        raise InvoicingError(str(error)) from None
    client = client or Client(freelancer=freelancer)
    client.name = name.strip()
    client.email = email.strip().lower()
    client.company = company.strip()
    client.address = address.strip()
    client.country = country
    client.default_currency = default_currency
    client.payment_terms_days = payment_terms_days
    client.full_clean()
    client.save()
    return client
