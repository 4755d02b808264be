"""What every invoicing service shares: ownership checks, amounts in minor units, state moves through
INVOICE_TRANSITIONS, the event log, row locks, and the ledger accounts and posting of the freelancer's book."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from common.states import move
from common.translations import in_every_language
from invoicing.errors import InvalidTransition, InvoicingError, NotAllowed
from invoicing.models import (
    INVOICE_TRANSITIONS,
    Invoice,
    InvoiceEvent,
    InvoiceState,
)
from ledger import chart
from ledger.errors import ExchangeRateError, LedgerError
from ledger.fx import exchange_rate_on
from ledger.models import Transaction
from ledger.money import MoneyError, format_minor, to_minor
from ledger.services import personal_account, post_transaction


def _check_owner(obj, freelancer) -> None:
    if obj.freelancer_id != freelancer.pk:
        raise NotAllowed(_("That is not yours."))


def _minor(amount: Decimal, currency: str, label: str, *, allow_zero: bool = False) -> int:
    try:
        minor = to_minor(amount, currency)
    except MoneyError as error:
        raise InvoicingError(f"{label}: {error}") from None
    if minor < 0 or (minor == 0 and not allow_zero):
        raise InvoicingError(_("%(label)s must be more than zero.") % {"label": label})
    return minor


def _transition(invoice: Invoice, to_state: str) -> None:
    if to_state == invoice.state:
        return
    move(
        invoice,
        to_state,
        INVOICE_TRANSITIONS,
        lambda current, to: InvalidTransition(
            _("A %(state)s invoice cannot become %(to)s.")
            % {"state": InvoiceState(current).label.lower(), "to": InvoiceState(to).label.lower()}
        ),
    )


def _event(invoice: Invoice, kind: str, message, email_to: str = "") -> InvoiceEvent:
    """`message` is a callable rendering the line in the active language: it is stored in every language."""
    english, others = in_every_language(message, 300)
    return InvoiceEvent.objects.create(
        invoice=invoice, kind=kind, message=english, translations=others, email_to=email_to
    )


def _locked(invoice: Invoice, freelancer) -> Invoice:
    row = Invoice.objects.select_for_update().select_related("client", "freelancer").get(pk=invoice.pk)
    _check_owner(row, freelancer)
    return row


def _receivable(invoice: Invoice):
    return personal_account(
        user=invoice.freelancer, spec=chart.receivable(invoice.freelancer_id, invoice.client_id, invoice.currency)
    )


def _income(invoice: Invoice, source: str = "invoices"):
    return personal_account(user=invoice.freelancer, spec=chart.income(invoice.freelancer_id, source, invoice.currency))


def _cash(user, place: str, currency: str):
    return personal_account(user=user, spec=chart.cash(user.pk, place, currency))


def _frozen_rate(currency: str, on: date):
    """The reference rate of the issue day (the latest published on or before it), or None for PKR or when
    no rate was published yet: then the books value the invoice at the rate of the day once it arrives."""
    if currency == "PKR":
        return None
    try:
        return exchange_rate_on(base=currency, on=on)
    except ExchangeRateError:
        return None


def _post(legs, **kwargs) -> Transaction:
    try:
        return post_transaction(legs, **kwargs)
    except LedgerError as error:
        raise InvoicingError(str(error)) from None


def site_url() -> str:
    return (getattr(settings, "KAMAI_SITE_URL", "") or "http://localhost:8000").rstrip("/")


def _format(invoice: Invoice, minor: int) -> str:
    return format_minor(minor, invoice.currency)
