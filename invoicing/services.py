"""Every invoicing write. Each service runs in one database transaction, checks that the freelancer owns
what they touch, follows INVOICE_TRANSITIONS, and moves money only through ledger.services in the
freelancer's personal book (recipes in MONEY.md):

    issued:       receivable:<client>:<CUR> +T · income:invoices:<CUR> −T
    late fee:     receivable +F · income:late_fees −F
    payment:      cash:<place>:<CUR> +X · receivable −X (then, with a realized PKR, a conversion to cash:bank:PKR)
    credit note:  income:invoices +C · receivable −C
    void:         the issue and late-fee transactions reversed

A refusal is an InvoicingError raised before anything is written or inside the rolled-back transaction.
"""

import calendar
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.iban import iban_is_valid
from common.states import move
from common.translations import in_every_language
from contracts.action_keys import claim_action_key
from invoicing.calculations import (
    LineInput,
    TaxInput,
    compute_totals,
    late_fee_minor,
    late_fee_period,
    line_amount_minor,
)
from invoicing.errors import InvalidTransition, InvoicingError, NotAllowed
from invoicing.models import (
    INVOICE_TRANSITIONS,
    OPEN_STATES,
    Client,
    DocumentKind,
    EventKind,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceSettings,
    InvoiceState,
    InvoiceTax,
    LateFeeKind,
    LineKind,
    MethodKind,
    Payment,
    PaymentMethod,
    RecurringFrequency,
    RecurringTemplate,
    ReminderKind,
    ReminderLog,
)
from ledger import chart
from ledger.errors import ExchangeRateError, LedgerError
from ledger.fx import exchange_rate_on
from ledger.models import Transaction
from ledger.money import MoneyError, check_currency, format_minor, from_minor, quantize_rate, to_minor
from ledger.services import Leg, convert_currency, personal_account, post_transaction, reverse_transaction
from webhooks import services as webhooks
from webhooks.events import INVOICE_PAID, INVOICE_VIEWED

LINK_SALT = "invoicing.client-link"
MAX_LINES = 50


# --- Helpers ---------------------------------------------------------------------------------------------


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


# --- Client link -----------------------------------------------------------------------------------------


def invoice_link_token(invoice: Invoice) -> str:
    """The signed token of the client link: the invoice id and its random nonce, signed with SECRET_KEY, so
    it cannot be guessed or altered to reach another invoice."""
    return signing.dumps([invoice.pk, invoice.link_nonce], salt=LINK_SALT)


def invoice_link_url(invoice: Invoice) -> str:
    return site_url() + reverse("invoice_public", args=[invoice_link_token(invoice)])


def invoice_from_token(token: str) -> Invoice | None:
    """The sent invoice a client link points at, or None for a tampered, unknown or unsent one."""
    try:
        pk, nonce = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    invoice = Invoice.objects.select_related("client", "freelancer").filter(pk=pk).first()
    if invoice is None or not invoice.link_nonce or invoice.state == InvoiceState.DRAFT:
        return None
    if not secrets.compare_digest(str(nonce), invoice.link_nonce):
        return None
    return invoice


@transaction.atomic
def invoice_record_view(*, invoice: Invoice) -> Invoice:
    """The client opened the link: the first view is recorded (a sent invoice becomes viewed)."""
    row = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if row.first_viewed_at is not None:
        return row
    row.first_viewed_at = timezone.now()
    if row.state == InvoiceState.SENT:
        _transition(row, InvoiceState.VIEWED)
    row.save(update_fields=["first_viewed_at", "state", "updated_at"])
    webhooks.invoice_event(INVOICE_VIEWED, row)
    _event(row, EventKind.VIEWED, lambda: _("The client opened the invoice link."))
    return row


def _email_client(invoice: Invoice, subject: str, body: str) -> None:
    """Send to the client and log it on the timeline (inside the caller's transaction)."""
    EmailMessage(subject=subject, body=body, to=[invoice.client.email]).send()
    _event(invoice, EventKind.EMAILED, subject, email_to=invoice.client.email)


def _invoice_mail_body(invoice: Invoice, opening: str) -> str:
    sender = invoice.freelancer.name
    return "\n\n".join(
        [
            _("Dear %(name)s,") % {"name": invoice.client.name},
            opening,
            _("Invoice %(number)s: %(total)s, due %(due)s. Still to pay: %(left)s.")
            % {
                "number": invoice.number,
                "total": _format(invoice, invoice.total_minor),
                "due": invoice.due_date.isoformat(),
                "left": _format(invoice, invoice.amount_due_minor),
            },
            _("View and download it here: %(url)s") % {"url": invoice_link_url(invoice)},
            invoice.payment_instructions,
            _("Thank you,\n%(name)s") % {"name": sender},
        ]
    )


# --- Settings, payment methods, clients ------------------------------------------------------------------


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


# --- Invoices: drafts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateFeeRule:
    kind: str = LateFeeKind.NONE
    percent: Decimal = Decimal(0)
    fixed: Decimal = Decimal(0)
    period_days: int = 30
    cap: Decimal | None = None


def _write_lines(invoice: Invoice, lines: list[LineInput], taxes: list[TaxInput]) -> None:
    """Replace the item lines and taxes and recompute every total (late-fee lines are kept)."""
    if not lines:
        raise InvoicingError(_("Add at least one line."))
    if len(lines) > MAX_LINES:
        raise InvoicingError(_("An invoice has at most %(n)d lines.") % {"n": MAX_LINES})
    for line in lines:
        if not line.description.strip():
            raise InvoicingError(_("Every line needs a description."))
        if line.quantity <= 0:
            raise InvoicingError(
                _("The quantity of “%(line)s” must be more than zero.") % {"line": line.description.strip()}
            )
        _minor(line.unit_price, invoice.currency, _("The unit price"), allow_zero=True)
    for tax in taxes:
        if not tax.name.strip():
            raise InvoicingError(_("Every tax needs a name."))
        if tax.rate_percent < 0 or tax.rate_percent > 100:
            raise InvoicingError(_("A tax rate is between 0 and 100%."))
    if invoice.discount_percent < 0 or invoice.discount_percent > 100:
        raise InvoicingError(_("A discount is between 0 and 100%."))
    totals = compute_totals(
        lines=lines,
        taxes=taxes,
        currency=invoice.currency,
        discount_percent=invoice.discount_percent,
        discount_fixed_minor=invoice.discount_fixed_minor,
    )
    if totals.discount_minor > totals.subtotal_minor:
        raise InvoicingError(_("The discount is more than the lines add up to."))
    invoice.lines.filter(kind=LineKind.ITEM).delete()
    invoice.taxes.all().delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=i,
            description=line.description.strip()[:300],
            quantity=line.quantity,
            unit_price_minor=to_minor(line.unit_price, invoice.currency),
            amount_minor=amount,
        )
        for i, (line, amount) in enumerate(zip(lines, totals.line_amounts_minor, strict=True), start=1)
    )
    InvoiceTax.objects.bulk_create(
        InvoiceTax(
            invoice=invoice, position=i, name=tax.name.strip()[:60], rate_percent=tax.rate_percent, amount_minor=a
        )
        for i, (tax, a) in enumerate(zip(taxes, totals.tax_amounts_minor, strict=True), start=1)
    )
    invoice.subtotal_minor = totals.subtotal_minor
    invoice.discount_minor = totals.discount_minor
    invoice.tax_minor = totals.tax_minor
    invoice.total_minor = totals.total_minor + invoice.late_fee_minor


@transaction.atomic
def invoice_save(*, issue: bool = False, **draft) -> Invoice:
    """Save a draft (`invoice_save_draft`'s arguments) and, with `issue`, issue it: both happen or neither."""
    invoice = invoice_save_draft(**draft)
    if issue:
        invoice = invoice_issue(invoice=invoice, freelancer=draft["freelancer"])
    return invoice


@transaction.atomic
def invoice_save_draft(
    *,
    freelancer,
    client: Client,
    currency: str,
    issue_date: date,
    due_date: date,
    lines: list[LineInput],
    taxes: list[TaxInput] = (),
    terms_days: int | None = None,
    discount_percent: Decimal = Decimal(0),
    discount_fixed: Decimal = Decimal(0),
    notes: str = "",
    payment_method: PaymentMethod | None = None,
    urdu_labels: bool = False,
    reminders_enabled: bool = True,
    remind_every_days_after: int | None = None,
    late_fee: LateFeeRule | None = None,
    invoice: Invoice | None = None,
    idempotency_key: str | None = None,
) -> Invoice:
    """Create a draft (no number, no money moved) or rewrite one. Only drafts can be edited."""
    if idempotency_key and invoice is None:
        existing = Invoice.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            _check_owner(existing, freelancer)
            return existing
    if invoice is not None:
        invoice = _locked(invoice, freelancer)
        if invoice.state != InvoiceState.DRAFT:
            raise InvoicingError(_("A sent invoice cannot be edited; issue a credit note to correct it."))
    _check_owner(client, freelancer)
    if payment_method is not None:
        _check_owner(payment_method, freelancer)
    try:
        check_currency(currency)
    except MoneyError as error:
        raise InvoicingError(str(error)) from None
    if due_date < issue_date:
        raise InvoicingError(_("The due date cannot be before the issue date."))
    if discount_fixed and discount_percent:
        raise InvoicingError(_("Give a discount as a percentage or as an amount, not both."))
    late_fee = late_fee or LateFeeRule()
    invoice = invoice or Invoice(freelancer=freelancer, idempotency_key=idempotency_key or None)
    invoice.client = client
    invoice.currency = currency
    invoice.issue_date = issue_date
    invoice.due_date = due_date
    invoice.terms_days = terms_days if terms_days is not None else (due_date - issue_date).days
    invoice.discount_percent = discount_percent or Decimal(0)
    invoice.discount_fixed_minor = _minor(discount_fixed or Decimal(0), currency, _("The discount"), allow_zero=True)
    invoice.notes = notes.strip()
    invoice.payment_method = payment_method
    invoice.urdu_labels = urdu_labels
    invoice.reminders_enabled = reminders_enabled
    invoice.remind_every_days_after = remind_every_days_after
    if late_fee.kind not in LateFeeKind.values:
        raise InvoicingError(_("Unknown late-fee rule."))
    if late_fee.percent < 0 or late_fee.period_days < 1:
        raise InvoicingError(_("A late fee needs a positive percentage or amount and a period of at least a day."))
    invoice.late_fee_kind = late_fee.kind
    invoice.late_fee_percent = late_fee.percent
    invoice.late_fee_fixed_minor = _minor(late_fee.fixed, currency, _("The late fee"), allow_zero=True)
    invoice.late_fee_period_days = late_fee.period_days
    invoice.late_fee_cap_minor = (
        None if late_fee.cap is None else _minor(late_fee.cap, currency, _("The late-fee cap"), allow_zero=True)
    )
    created = invoice.pk is None
    invoice.save()
    _write_lines(invoice, list(lines), list(taxes))
    invoice.save()
    if created:
        _event(invoice, EventKind.CREATED, lambda: _("Draft created."))
    return invoice


def _next_number(freelancer, kind: str, issue_date: date) -> str:
    """Take the next number from the freelancer's counter under a row lock; the caller's transaction either
    commits the number with the invoice or gives it back, so no number is skipped or used twice."""
    row = InvoiceSettings.objects.select_for_update().get(freelancer=freelancer)
    if kind == DocumentKind.CREDIT_NOTE:
        sequence, prefix = row.next_credit_note_number, row.credit_note_prefix
        row.next_credit_note_number += 1
    else:
        sequence, prefix = row.next_invoice_number, row.number_prefix
        row.next_invoice_number += 1
    row.save(update_fields=["next_credit_note_number", "next_invoice_number"])
    return f"{prefix.format(year=issue_date.year)}{sequence:04d}"


def invoice_issue(*, invoice: Invoice, freelancer, send_email: bool = True) -> Invoice:
    """Give the draft its number, post the receivable (receivable +T · income:invoices −T), mark it sent
    and e-mail the client the link. Issuing an already issued invoice changes nothing."""
    settings_get(freelancer=freelancer)  # the counter row exists before the transaction locks it
    with transaction.atomic():
        invoice = _locked(invoice, freelancer)
        if invoice.state != InvoiceState.DRAFT:
            return invoice
        if invoice.total_minor <= 0:
            raise InvoicingError(_("An invoice must add up to more than zero."))
        if invoice.due_date < invoice.issue_date:
            raise InvoicingError(_("The due date cannot be before the issue date."))
        invoice.number = _next_number(freelancer, invoice.kind, invoice.issue_date)
        _transition(invoice, InvoiceState.SENT)
        invoice.sent_at = timezone.now()
        invoice.link_nonce = secrets.token_hex(16)
        if invoice.payment_method is not None:
            invoice.payment_instructions = invoice.payment_method.instructions
        invoice.pkr_rate = _frozen_rate(invoice.currency, invoice.issue_date)
        _post(
            [Leg(_receivable(invoice), invoice.total), Leg(_income(invoice), -invoice.total)],
            idempotency_key=f"invoice:{invoice.pk}:issue",
            kind=chart.TxnKind.INVOICE_ISSUE,
            valued_at=invoice.pkr_rate,
            memo=f"Invoice {invoice.number} to {invoice.client.name}"[:255],
            reference=f"invoice:{invoice.pk}",
        )
        invoice.save()
        _event(invoice, EventKind.ISSUED, lambda: _("Issued as %(number)s.") % {"number": invoice.number})
        if send_email:
            _email_client(
                invoice,
                _("Invoice %(number)s from %(name)s") % {"number": invoice.number, "name": freelancer.name},
                _invoice_mail_body(invoice, _("Please find your invoice below.")),
            )
        return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice, freelancer) -> Invoice:
    """Cancel a draft, or an issued invoice on which nothing was paid or credited: its issue and late-fee
    transactions are reversed, so the receivable goes back to what it was."""
    invoice = _locked(invoice, freelancer)
    if invoice.is_credit_note:
        raise InvoicingError(_("A credit note cannot be voided."))
    if invoice.paid_minor or invoice.credited_minor:
        raise InvoicingError(
            _("Payments or credit notes were recorded on this invoice; issue a credit note for the rest instead.")
        )
    _transition(invoice, InvoiceState.VOID)
    if invoice.number:
        for posted in Transaction.objects.filter(
            reference=f"invoice:{invoice.pk}", kind__in=["invoice_issue", "invoice_late_fee"]
        ):
            try:
                reverse_transaction(original=posted, memo=f"Invoice {invoice.number} voided")
            except LedgerError as error:
                raise InvoicingError(str(error)) from None
    invoice.voided_at = timezone.now()
    invoice.save()
    _event(invoice, EventKind.VOIDED, lambda: _("Voided."))
    return invoice


@transaction.atomic
def invoice_set_reminders(*, invoice: Invoice, freelancer, enabled: bool) -> Invoice:
    """Switch this invoice's reminders and late-fee e-mails on or off (no money changes)."""
    invoice = _locked(invoice, freelancer)
    invoice.reminders_enabled = enabled
    invoice.save(update_fields=["reminders_enabled", "updated_at"])
    return invoice


# --- Payments --------------------------------------------------------------------------------------------


def _settle_state(invoice: Invoice, today: date) -> None:
    """The state that follows from the amounts after a payment or credit."""
    if invoice.amount_due_minor == 0:
        if invoice.paid_minor > 0:
            _transition(invoice, InvoiceState.PAID)
            invoice.paid_at = invoice.paid_at or timezone.now()
        else:
            _transition(invoice, InvoiceState.VOID)
            invoice.voided_at = timezone.now()
    elif invoice.paid_minor > 0 and invoice.state in (InvoiceState.SENT, InvoiceState.VIEWED):
        _transition(invoice, InvoiceState.OVERDUE if invoice.due_date < today else InvoiceState.PARTIALLY_PAID)


def _claim(key: str, user, action: str, invoice_id: int | None, request: dict) -> bool:
    # The key with this request's fingerprint: a different request under a used key is refused.
    return claim_action_key(key, user=user, action=action, object_id=invoice_id, params=request, error=InvoicingError)


def payment_record(
    *,
    invoice: Invoice,
    freelancer,
    amount: Decimal,
    currency: str,
    received_on: date,
    method: str,
    idempotency_key: str,
    reference: str = "",
    realized_pkr: Decimal | None = None,
) -> Payment:
    """Record money received on an issued invoice, full or partial, in the invoice's currency:
    cash:<method>:<CUR> +X · receivable −X. With a realized PKR (what the bank credited), the received
    amount is also converted into cash:bank:PKR at that value against the reference rate, if one exists.
    More than is still due is refused. The same idempotency key records the payment once."""
    if not idempotency_key:
        raise InvoicingError(_("The form expired; please submit it again."))
    request = {"amount": amount, "currency": currency, "on": received_on, "method": method, "pkr": realized_pkr}
    existing = Payment.objects.filter(idempotency_key=idempotency_key).select_related("invoice").first()
    if existing is not None:
        _check_owner(existing.invoice, freelancer)
        _claim(idempotency_key, freelancer, "payment_record", existing.invoice_id, request)
        return existing
    with transaction.atomic():
        invoice = _locked(invoice, freelancer)
        if not _claim(idempotency_key, freelancer, "payment_record", invoice.pk, request):
            return Payment.objects.get(idempotency_key=idempotency_key)
        if invoice.is_credit_note:
            raise InvoicingError(_("Payments are recorded on invoices, not credit notes."))
        if invoice.state not in OPEN_STATES:
            raise InvoicingError(
                _("A %(state)s invoice takes no payments.") % {"state": invoice.get_state_display().lower()}
            )
        if currency != invoice.currency:
            raise InvoicingError(
                _(
                    "This invoice is in %(currency)s; record the payment in %(currency)s (enter what the bank "
                    "credited in rupees as the realized PKR)."
                )
                % {"currency": invoice.currency}
            )
        if method not in MethodKind.values:
            raise InvoicingError(_("Choose how the payment arrived."))
        minor = _minor(amount, currency, _("The payment"))
        if minor > invoice.amount_due_minor:
            raise InvoicingError(
                _("A payment of %(amount)s is more than the %(due)s still due on %(number)s.")
                % {
                    "amount": _format(invoice, minor),
                    "due": _format(invoice, invoice.amount_due_minor),
                    "number": invoice.number,
                }
            )
        if received_on < invoice.issue_date:
            raise InvoicingError(_("A payment cannot arrive before the invoice was issued."))
        if received_on > timezone.localdate():
            raise InvoicingError(_("A payment date cannot be in the future."))
        realized_minor = None
        if realized_pkr is not None:
            if invoice.currency == "PKR":
                raise InvoicingError(_("A realized PKR amount is only for invoices in another currency."))
            realized_minor = _minor(realized_pkr, "PKR", _("The realized PKR"))
        cash = _cash(freelancer, method, currency)
        posted = _post(
            [Leg(cash, from_minor(minor, currency)), Leg(_receivable(invoice), -from_minor(minor, currency))],
            idempotency_key=f"invoice-payment:{idempotency_key}",
            kind=chart.TxnKind.INVOICE_PAYMENT,
            memo=f"Payment on {invoice.number}"[:255],
            reference=f"invoice:{invoice.pk}",
        )
        conversion = None
        if realized_minor is not None:
            try:
                # Measured against the rate frozen at issue: the difference is the exchange gain or loss.
                frozen = invoice.pkr_rate or _frozen_rate(currency, received_on)
                if frozen is not None:
                    rate_kwargs = {"exchange_rate": frozen}
                else:
                    rate_kwargs = {"rate": quantize_rate(Decimal(realized_minor) / Decimal(minor))}
                conversion = convert_currency(
                    source=cash,
                    target=_cash(freelancer, "bank", "PKR"),
                    amount=from_minor(minor, currency),
                    realized_amount=from_minor(realized_minor, "PKR"),
                    idempotency_key=f"invoice-payment:{idempotency_key}:pkr",
                    memo=f"Payment on {invoice.number} credited in PKR"[:255],
                    reference=f"invoice:{invoice.pk}",
                    **rate_kwargs,
                )
            except LedgerError as error:
                raise InvoicingError(str(error)) from None
        payment = Payment.objects.create(
            invoice=invoice,
            received_on=received_on,
            amount_minor=minor,
            currency=currency,
            method=method,
            reference=reference.strip()[:120],
            realized_pkr_minor=realized_minor,
            idempotency_key=idempotency_key,
            transaction=posted,
            conversion=conversion,
        )
        invoice.paid_minor += minor
        _settle_state(invoice, timezone.localdate())
        invoice.save()
        _event(
            invoice,
            EventKind.PAYMENT,
            lambda: (
                _("Payment of %(amount)s received on %(date)s.")
                % {"amount": _format(invoice, minor), "date": received_on.isoformat()}
            ),
        )
        if invoice.state == InvoiceState.PAID:
            _event(invoice, EventKind.PAID, lambda: _("Paid in full."))
            webhooks.invoice_event(INVOICE_PAID, invoice)
        return payment


# --- Credit notes ----------------------------------------------------------------------------------------


def credit_note_issue(
    *, invoice: Invoice, freelancer, amount: Decimal, reason: str, idempotency_key: str, send_email: bool = True
) -> Invoice:
    """Correct an issued invoice with a credit note: a negative invoice that references it and reverses
    part or all of what is still due (income:invoices +C · receivable −C). A fully credited invoice with
    no payments becomes void; one with payments becomes paid."""
    if not idempotency_key:
        raise InvoicingError(_("The form expired; please submit it again."))
    settings_get(freelancer=freelancer)
    request = {"amount": amount, "reason": reason.strip()}
    existing = Invoice.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        _check_owner(existing, freelancer)
        _claim(idempotency_key, freelancer, "credit_note_issue", existing.credit_for_id, request)
        return existing
    with transaction.atomic():
        invoice = _locked(invoice, freelancer)
        if not _claim(idempotency_key, freelancer, "credit_note_issue", invoice.pk, request):
            return Invoice.objects.get(idempotency_key=idempotency_key)
        if invoice.is_credit_note or invoice.state not in OPEN_STATES:
            raise InvoicingError(_("Only an issued, unpaid invoice can be credited."))
        if not reason.strip():
            raise InvoicingError(_("Say why the invoice is credited."))
        minor = _minor(amount, invoice.currency, _("The credit"))
        if minor > invoice.amount_due_minor:
            raise InvoicingError(
                _("A credit of %(amount)s is more than the %(due)s still due.")
                % {"amount": _format(invoice, minor), "due": _format(invoice, invoice.amount_due_minor)}
            )
        today = timezone.localdate()
        note = Invoice(
            freelancer=freelancer,
            client=invoice.client,
            kind=DocumentKind.CREDIT_NOTE,
            credit_for=invoice,
            currency=invoice.currency,
            issue_date=max(today, invoice.issue_date),
            due_date=max(today, invoice.issue_date),
            terms_days=0,
            notes=reason.strip()[:2000],
            reminders_enabled=False,
            idempotency_key=idempotency_key,
            subtotal_minor=-minor,
            total_minor=-minor,
        )
        note.number = _next_number(freelancer, DocumentKind.CREDIT_NOTE, note.issue_date)
        _transition(note, InvoiceState.SENT)
        note.sent_at = timezone.now()
        note.link_nonce = secrets.token_hex(16)
        note.save()
        InvoiceLine.objects.create(
            invoice=note,
            position=1,
            description=(_("Credit for invoice %(number)s: %(reason)s") % {"number": invoice.number, "reason": reason})[
                :300
            ],
            quantity=Decimal(1),
            unit_price_minor=minor,
            amount_minor=minor,
        )
        value = from_minor(minor, invoice.currency)
        _post(
            [Leg(_income(invoice), value), Leg(_receivable(invoice), -value)],
            idempotency_key=f"invoice:{note.pk}:issue",
            kind=chart.TxnKind.INVOICE_CREDIT_NOTE,
            valued_at=invoice.pkr_rate,
            memo=f"Credit note {note.number} for {invoice.number}"[:255],
            reference=f"invoice:{note.pk}",
        )
        invoice.credited_minor += minor
        _settle_state(invoice, today)
        invoice.save()
        _event(note, EventKind.ISSUED, lambda: _("Issued as %(number)s.") % {"number": note.number})
        _event(
            invoice,
            EventKind.CREDITED,
            lambda: (
                _("Credit note %(number)s for %(amount)s.") % {"number": note.number, "amount": _format(invoice, minor)}
            ),
        )
        if send_email:
            _email_client(
                invoice,
                _("Credit note %(number)s for invoice %(invoice)s")
                % {"number": note.number, "invoice": invoice.number},
                _invoice_mail_body(
                    invoice,
                    _("We have credited %(amount)s on this invoice: %(reason)s")
                    % {"amount": _format(invoice, minor), "reason": reason.strip()},
                ),
            )
        return note


# --- Reminders and late fees (the daily job) -------------------------------------------------------------


def _log_once(invoice: Invoice, kind: str, period: int, today: date) -> bool:
    """Claim (invoice, kind, period); False when an earlier run already did. Called with the invoice row
    locked, so two runs cannot both claim it (and the unique constraint would refuse the second anyway)."""
    if ReminderLog.objects.filter(invoice=invoice, kind=kind, period=period).exists():
        return False
    ReminderLog.objects.create(invoice=invoice, kind=kind, period=period, run_on=today)
    return True


def _charge_late_fee(invoice: Invoice, period: int) -> int:
    base = invoice.total_minor - invoice.late_fee_minor - invoice.paid_minor - invoice.credited_minor
    fee = late_fee_minor(
        kind=invoice.late_fee_kind,
        percent=invoice.late_fee_percent,
        fixed_minor=invoice.late_fee_fixed_minor,
        base_minor=base,
        charged_minor=invoice.late_fee_minor,
        cap_minor=invoice.late_fee_cap_minor,
        currency=invoice.currency,
    )
    if fee <= 0:
        return 0
    value = from_minor(fee, invoice.currency)
    _post(
        [Leg(_receivable(invoice), value), Leg(_income(invoice, "late_fees"), -value)],
        idempotency_key=f"invoice:{invoice.pk}:late-fee:{period}",
        kind=chart.TxnKind.INVOICE_LATE_FEE,
        valued_at=invoice.pkr_rate,
        memo=f"Late fee {period} on {invoice.number}"[:255],
        reference=f"invoice:{invoice.pk}",
    )
    position = (invoice.lines.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    InvoiceLine.objects.create(
        invoice=invoice,
        position=position,
        kind=LineKind.LATE_FEE,
        description=_("Late fee, period %(n)d") % {"n": period},
        quantity=Decimal(1),
        unit_price_minor=fee,
        amount_minor=fee,
    )
    invoice.late_fee_minor += fee
    invoice.total_minor += fee
    return fee


def _remind_invoice(invoice_id: int, today: date) -> dict[str, int]:
    done = {"reminders": 0, "late_fees": 0, "overdue": 0}
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("client", "freelancer").get(pk=invoice_id)
        if invoice.state not in OPEN_STATES or invoice.amount_due_minor <= 0:
            return done
        prefs = settings_get(freelancer=invoice.freelancer)
        if invoice.due_date < today and invoice.state != InvoiceState.OVERDUE:
            _transition(invoice, InvoiceState.OVERDUE)
            invoice.save()
            _event(invoice, EventKind.OVERDUE, lambda: _("Past its due date of %(due)s.") % {"due": invoice.due_date})
            done["overdue"] += 1
        send = prefs.reminders_enabled and invoice.reminders_enabled
        if invoice.late_fee_kind != LateFeeKind.NONE:
            current = late_fee_period(due_date=invoice.due_date, today=today, period_days=invoice.late_fee_period_days)
            for period in range(1, current + 1):
                if not _log_once(invoice, ReminderKind.LATE_FEE, period, today):
                    continue
                fee = _charge_late_fee(invoice, period)
                if not fee:
                    continue
                invoice.save()
                done["late_fees"] += 1
                _event(
                    invoice,
                    EventKind.LATE_FEE,
                    lambda fee=fee: _("Late fee of %(fee)s added.") % {"fee": _format(invoice, fee)},
                )
                if send:
                    _email_client(
                        invoice,
                        _("Late fee added to invoice %(number)s") % {"number": invoice.number},
                        _invoice_mail_body(
                            invoice,
                            _("The invoice is overdue, so a late fee of %(fee)s has been added as agreed.")
                            % {"fee": _format(invoice, fee)},
                        ),
                    )
        if not send:
            return done
        days_to_due = (invoice.due_date - today).days
        every = (
            invoice.remind_every_days_after
            if invoice.remind_every_days_after is not None
            else prefs.remind_every_days_after
        )
        claim = None
        if 0 < days_to_due <= prefs.remind_days_before:
            claim = (ReminderKind.BEFORE_DUE, 0, _("A friendly reminder: this invoice is due on %(due)s."))
        elif days_to_due == 0 and prefs.remind_on_due_date:
            claim = (ReminderKind.ON_DUE, 0, _("A reminder: this invoice is due today, %(due)s."))
        elif days_to_due < 0 and every > 0 and -days_to_due >= every:
            claim = (
                ReminderKind.OVERDUE,
                -days_to_due // every,
                _("This invoice was due on %(due)s and is still unpaid."),
            )
        if claim and _log_once(invoice, claim[0], claim[1], today):
            _email_client(
                invoice,
                _("Reminder: invoice %(number)s") % {"number": invoice.number},
                _invoice_mail_body(invoice, claim[2] % {"due": invoice.due_date.isoformat()}),
            )
            done["reminders"] += 1
    return done


def reminders_run(*, today: date | None = None) -> dict[str, int]:
    """The daily job: mark overdue invoices, add late fees for each period not yet charged, and send the
    reminders that are due. Each (invoice, kind, period) happens once however often the job runs."""
    today = today or timezone.localdate()
    totals = {"reminders": 0, "late_fees": 0, "overdue": 0}
    ids = Invoice.objects.filter(kind=DocumentKind.INVOICE, state__in=OPEN_STATES).values_list("pk", flat=True)
    for invoice_id in list(ids):
        for key, count in _remind_invoice(invoice_id, today).items():
            totals[key] += count
    return totals


# --- Recurring invoices ----------------------------------------------------------------------------------

MONTHS_PER = {RecurringFrequency.MONTHLY: 1, RecurringFrequency.QUARTERLY: 3, RecurringFrequency.YEARLY: 12}


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def recurring_occurrence(template: RecurringTemplate, n: int) -> date:
    """The date of the n-th invoice (0-based), anchored on the start date so short months do not drift."""
    if template.frequency == RecurringFrequency.WEEKLY:
        return template.start_date + timedelta(weeks=n)
    return _add_months(template.start_date, MONTHS_PER[template.frequency] * n)


def _template_finished(template: RecurringTemplate, next_date: date) -> bool:
    if template.max_count is not None and template.issued_count >= template.max_count:
        return True
    return template.end_date is not None and next_date > template.end_date


def _template_inputs(template: RecurringTemplate) -> tuple[list[LineInput], list[TaxInput]]:
    lines = [LineInput(ln["description"], Decimal(ln["quantity"]), Decimal(ln["unit_price"])) for ln in template.lines]
    taxes = [TaxInput(t["name"], Decimal(t["rate"])) for t in template.taxes]
    return lines, taxes


@transaction.atomic
def recurring_save(
    *,
    freelancer,
    client: Client,
    title: str,
    currency: str,
    frequency: str,
    start_date: date,
    lines: list[LineInput],
    taxes: list[TaxInput] = (),
    end_date: date | None = None,
    max_count: int | None = None,
    terms_days: int = 15,
    notes: str = "",
    payment_method: PaymentMethod | None = None,
) -> RecurringTemplate:
    _check_owner(client, freelancer)
    if payment_method is not None:
        _check_owner(payment_method, freelancer)
    if frequency not in RecurringFrequency.values:
        raise InvoicingError(_("Choose how often the invoice repeats."))
    if end_date is not None and end_date < start_date:
        raise InvoicingError(_("The end date cannot be before the start date."))
    if max_count is not None and max_count < 1:
        raise InvoicingError(_("The number of invoices must be at least one."))
    try:
        check_currency(currency)
    except MoneyError as error:
        raise InvoicingError(str(error)) from None
    if not lines:
        raise InvoicingError(_("Add at least one line."))
    for line in lines:
        if line.quantity <= 0:
            raise InvoicingError(_("The quantity of “%(line)s” must be more than zero.") % {"line": line.description})
        _minor(line.unit_price, currency, _("The unit price"), allow_zero=True)
    if sum(line_amount_minor(ln.quantity, ln.unit_price, currency) for ln in lines) <= 0:
        raise InvoicingError(_("An invoice must add up to more than zero."))
    return RecurringTemplate.objects.create(
        freelancer=freelancer,
        client=client,
        title=title.strip() or client.name,
        currency=currency,
        frequency=frequency,
        start_date=start_date,
        end_date=end_date,
        max_count=max_count,
        terms_days=terms_days,
        lines=[
            {"description": ln.description.strip(), "quantity": str(ln.quantity), "unit_price": str(ln.unit_price)}
            for ln in lines
        ],
        taxes=[{"name": t.name.strip(), "rate": str(t.rate_percent)} for t in taxes],
        notes=notes.strip(),
        payment_method=payment_method,
        next_run_date=start_date,
    )


@transaction.atomic
def recurring_stop(*, template: RecurringTemplate, freelancer) -> RecurringTemplate:
    template = RecurringTemplate.objects.select_for_update().get(pk=template.pk)
    _check_owner(template, freelancer)
    template.active = False
    template.save(update_fields=["active"])
    return template


def _recurring_catch_up(template_id: int, today: date) -> int:
    issued = 0
    with transaction.atomic():
        template = (
            RecurringTemplate.objects.select_for_update().select_related("client", "freelancer").get(pk=template_id)
        )
        while template.active and template.next_run_date and template.next_run_date <= today:
            run_date = template.next_run_date
            if _template_finished(template, run_date):
                template.active = False
                break
            if not Invoice.objects.filter(recurring_template=template, recurring_run_date=run_date).exists():
                lines, taxes = _template_inputs(template)
                draft = invoice_save_draft(
                    freelancer=template.freelancer,
                    client=template.client,
                    currency=template.currency,
                    issue_date=today,
                    due_date=today + timedelta(days=template.terms_days),
                    terms_days=template.terms_days,
                    lines=lines,
                    taxes=taxes,
                    notes=(template.notes + "\n" if template.notes else "")
                    + _("For the period starting %(date)s.") % {"date": run_date.isoformat()},
                    payment_method=template.payment_method,
                )
                draft.recurring_template = template
                draft.recurring_run_date = run_date
                draft.save(update_fields=["recurring_template", "recurring_run_date"])
                invoice_issue(invoice=draft, freelancer=template.freelancer)
                issued += 1
            template.issued_count += 1
            template.next_run_date = recurring_occurrence(template, template.issued_count)
            if _template_finished(template, template.next_run_date):
                template.active = False
        template.save()
    return issued


def recurring_run(*, today: date | None = None) -> int:
    """The daily job: issue and send every recurring invoice whose date has come, catching up each missed
    run exactly once (a run is one (template, date) pair, unique in the database)."""
    today = today or timezone.localdate()
    due = RecurringTemplate.objects.filter(active=True, next_run_date__lte=today).values_list("pk", flat=True)
    issued = 0
    for template_id in list(due):
        settings_get(freelancer=RecurringTemplate.objects.get(pk=template_id).freelancer)
        issued += _recurring_catch_up(template_id, today)
    return issued
