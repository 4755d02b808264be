"""Invoices for a freelancer's direct clients: the clients book, invoices and credit notes with their lines
and taxes, payments, the timeline, reminder logs and recurring templates.

Money is stored as integer minor units of the invoice's currency; totals are kept by invoicing.services
(computed once with ledger.money's rounding rule) and never edited by hand. Numbers are given at issue
time from the freelancer's counter row (InvoiceSettings), so drafts have none and issued numbers have no gaps.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.translations import in_reader_language
from ledger.money import CURRENCY_CHOICES, convert, from_minor, to_minor


class InvoiceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    VIEWED = "viewed", _("Viewed")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    VOID = "void", _("Void")


# The one table of allowed invoice state changes; invoicing.services refuses anything else.
# A sent invoice is never edited: it is corrected by a credit note, which can settle it (paid) or cancel
# it (void, when nothing was paid).
INVOICE_TRANSITIONS: dict[str, set[str]] = {
    InvoiceState.DRAFT: {InvoiceState.SENT, InvoiceState.VOID},
    InvoiceState.SENT: {
        InvoiceState.VIEWED,
        InvoiceState.PARTIALLY_PAID,
        InvoiceState.PAID,
        InvoiceState.OVERDUE,
        InvoiceState.VOID,
    },
    InvoiceState.VIEWED: {InvoiceState.PARTIALLY_PAID, InvoiceState.PAID, InvoiceState.OVERDUE, InvoiceState.VOID},
    InvoiceState.PARTIALLY_PAID: {InvoiceState.PAID, InvoiceState.OVERDUE},
    InvoiceState.OVERDUE: {InvoiceState.PAID, InvoiceState.VOID},
    InvoiceState.PAID: set(),
    InvoiceState.VOID: set(),
}

# States in which money is still expected.
OPEN_STATES = (InvoiceState.SENT, InvoiceState.VIEWED, InvoiceState.PARTIALLY_PAID, InvoiceState.OVERDUE)


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class LateFeeKind(models.TextChoices):
    NONE = "none", _("No late fee")
    PERCENT = "percent", _("Percentage of the amount due, per period")
    FIXED = "fixed", _("Fixed amount per period")


class MethodKind(models.TextChoices):
    BANK = "bank", _("Bank account (IBAN)")
    PAYONEER = "payoneer", _("Payoneer")
    WISE = "wise", _("Wise")
    OTHER = "other", _("Other")


class InvoiceSettings(models.Model):
    """A freelancer's invoicing preferences and their number counters. The counters are only read and
    moved under SELECT ... FOR UPDATE inside the issuing transaction, which is what makes numbers gap-free."""

    freelancer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invoice_settings"
    )
    number_prefix = models.CharField(
        _("invoice number prefix"),
        max_length=20,
        default="INV-{year}-",
        help_text=_("{year} becomes the issue year, e.g. INV-{year}- gives INV-2026-0001."),
    )
    credit_note_prefix = models.CharField(_("credit note prefix"), max_length=20, default="CN-{year}-")
    next_invoice_number = models.PositiveIntegerField(default=1)
    next_credit_note_number = models.PositiveIntegerField(default=1)
    default_terms_days = models.PositiveSmallIntegerField(_("default payment terms (days)"), default=15)
    reminders_enabled = models.BooleanField(_("send reminders"), default=True)
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind this many days before the due date"), default=3, help_text=_("0 for no early reminder.")
    )
    remind_on_due_date = models.BooleanField(_("remind on the due date"), default=True)
    remind_every_days_after = models.PositiveSmallIntegerField(
        _("then remind every N days while overdue"), default=7, help_text=_("0 for no reminders after the due date.")
    )
    late_fee_percent = models.DecimalField(
        _("default late fee (% per period)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_("0 for no late fee on new invoices."),
    )
    late_fee_period_days = models.PositiveSmallIntegerField(_("late fee period (days)"), default=30)
    late_fee_cap_percent = models.DecimalField(
        # xgettext:no-python-format
        _("late fees stop at (% of the invoice)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("10"),
    )

    # What the invoice says about its sender (the PDF and the client link).
    business_name = models.CharField(
        _("business name"), max_length=120, blank=True, help_text=_("Leave empty to use your name.")
    )
    business_address = models.TextField(_("business address"), max_length=500, blank=True)
    show_ntn = models.BooleanField(
        _("show my NTN on invoices"), default=False, help_text=_("From your profile; Pakistani clients ask for it.")
    )

    def __str__(self):
        return f"Invoice settings of {self.freelancer}"


class PaymentMethod(models.Model):
    """Where a freelancer wants to be paid; printed on invoices as payment instructions."""

    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_methods")
    kind = models.CharField(_("kind"), max_length=10, choices=MethodKind.choices)
    label = models.CharField(_("name"), max_length=80, help_text=_("e.g. Meezan Bank PKR, Payoneer USD"))
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    details = models.TextField(_("details"), max_length=1000, blank=True, help_text=_("Account title, e-mail, etc."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.label

    @property
    def instructions(self) -> str:
        parts = [f"{self.get_kind_display()}: {self.label}"]
        if self.iban:
            parts.append(f"IBAN {self.iban}")
        if self.details:
            parts.append(self.details)
        return "\n".join(parts)

    @property
    def cash_place(self) -> str:
        """The personal-book cash account payments through this method land in."""
        return self.kind


class Client(models.Model):
    """A freelancer's own client, outside the marketplace; needs no Kamai account."""

    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="direct_clients")
    name = models.CharField(_("name"), max_length=120)
    company = models.CharField(_("company"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"))
    address = models.TextField(_("address"), max_length=500, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    default_currency = models.CharField(_("default currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=15, help_text=_("0 means due on receipt.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["freelancer", "name"], name="inv_client_owner_idx")]

    def __str__(self):
        return f"{self.name} ({self.company})" if self.company else self.name


class RecurringFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class RecurringTemplate(models.Model):
    """A schedule from which invoicing.tasks issues and sends invoices. Lines are stored as exact text
    (description, quantity, unit price) so no amount ever passes through a float."""

    freelancer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recurring_invoices"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="recurring_templates")
    title = models.CharField(_("title"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    frequency = models.CharField(_("repeats"), max_length=10, choices=RecurringFrequency.choices)
    start_date = models.DateField(_("first invoice on"))
    end_date = models.DateField(_("last invoice on or before"), null=True, blank=True)
    max_count = models.PositiveIntegerField(_("number of invoices"), null=True, blank=True)
    terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=15)
    lines = models.JSONField(default=list)  # [{"description": str, "quantity": "1.5", "unit_price": "100.00"}]
    taxes = models.JSONField(default=list, blank=True)  # [{"name": str, "rate": "13"}]
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    payment_method = models.ForeignKey(PaymentMethod, null=True, blank=True, on_delete=models.SET_NULL)
    issued_count = models.PositiveIntegerField(default=0)
    next_run_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Invoice(models.Model):
    """An invoice or credit note. Amounts are minor units of `currency`; a credit note's total is negative."""

    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invoices")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices, default=DocumentKind.INVOICE)
    credit_for = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(_("number"), max_length=40, blank=True)
    state = models.CharField(max_length=16, choices=InvoiceState.choices, default=InvoiceState.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    issue_date = models.DateField(_("issue date"))
    terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=15)
    due_date = models.DateField(_("due date"))
    discount_percent = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal("0"))
    discount_fixed_minor = models.BigIntegerField(default=0)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    payment_method = models.ForeignKey(PaymentMethod, null=True, blank=True, on_delete=models.SET_NULL)
    payment_instructions = models.TextField(_("payment instructions"), blank=True, max_length=1000)
    urdu_labels = models.BooleanField(_("Urdu labels on the PDF"), default=False)
    reminders_enabled = models.BooleanField(_("send reminders"), default=True)
    remind_every_days_after = models.PositiveSmallIntegerField(
        _("remind every N days while overdue"), null=True, blank=True, help_text=_("Empty: use your settings.")
    )
    late_fee_kind = models.CharField(_("late fee"), max_length=8, choices=LateFeeKind.choices, default=LateFeeKind.NONE)
    late_fee_percent = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal("0"))
    late_fee_fixed_minor = models.BigIntegerField(default=0)
    late_fee_period_days = models.PositiveSmallIntegerField(default=30)
    late_fee_cap_minor = models.BigIntegerField(null=True, blank=True)

    # Kept by the services, computed with ledger.money's one rounding rule.
    subtotal_minor = models.BigIntegerField(default=0)
    discount_minor = models.BigIntegerField(default=0)
    tax_minor = models.BigIntegerField(default=0)
    late_fee_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField(default=0)
    paid_minor = models.BigIntegerField(default=0)
    credited_minor = models.BigIntegerField(default=0)

    # The reference rate frozen when the invoice was issued (PKR per unit of `currency`): its PKR equivalent,
    # the value it enters the books at, and what realized PKR on a payment is measured against.
    pkr_rate = models.ForeignKey(
        "ledger.ExchangeRate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Client link: the token is signed (django.core.signing) over the id and this random nonce.
    link_nonce = models.CharField(max_length=32, blank=True)
    recurring_template = models.ForeignKey(
        RecurringTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    recurring_run_date = models.DateField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]

        indexes = [
            models.Index(fields=["freelancer", "state"], name="inv_owner_state_idx"),
            models.Index(fields=["state", "due_date"], name="inv_state_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["freelancer", "kind", "number"], condition=~Q(number=""), name="inv_number_unique"
            ),
            models.UniqueConstraint(
                fields=["recurring_template", "recurring_run_date"],
                condition=Q(recurring_template__isnull=False),
                name="inv_one_per_recurring_run",
            ),
            models.CheckConstraint(condition=Q(due_date__gte=models.F("issue_date")), name="inv_due_after_issue"),
            models.CheckConstraint(condition=Q(paid_minor__gte=0), name="inv_paid_not_negative"),
            models.CheckConstraint(condition=Q(state="draft") | ~Q(number=""), name="inv_issued_has_number"),
        ]

    def __str__(self):
        return self.number or f"Draft {self.pk}"

    @property
    def state_label(self) -> str:
        """The state as people say it: a credit note is issued, never "sent" with something due."""
        if self.is_credit_note and self.state == InvoiceState.SENT:
            return str(_("Issued"))
        return self.get_state_display()

    @property
    def pkr_equivalent_minor(self) -> int | None:
        """The total in PKR at the frozen rate, rounded once."""
        if self.pkr_rate is None:
            return None
        return to_minor(convert(self.total, self.pkr_rate.rate, "PKR"), "PKR")

    @property
    def pkr_equivalent(self):
        minor = self.pkr_equivalent_minor
        return None if minor is None else from_minor(minor, "PKR")

    @property
    def is_credit_note(self) -> bool:
        return self.kind == DocumentKind.CREDIT_NOTE

    @property
    def amount_due_minor(self) -> int:
        if self.is_credit_note or self.state in (InvoiceState.DRAFT, InvoiceState.VOID):
            return 0
        return self.total_minor - self.paid_minor - self.credited_minor

    def money(self, minor: int):
        return from_minor(minor, self.currency)

    @property
    def subtotal(self):
        return self.money(self.subtotal_minor)

    @property
    def discount(self):
        return self.money(self.discount_minor)

    @property
    def tax(self):
        return self.money(self.tax_minor)

    @property
    def late_fee(self):
        return self.money(self.late_fee_minor)

    @property
    def total(self):
        return self.money(self.total_minor)

    @property
    def paid(self):
        return self.money(self.paid_minor)

    @property
    def credited(self):
        return self.money(self.credited_minor)

    @property
    def amount_due(self):
        return self.money(self.amount_due_minor)

    @property
    def is_past_due(self) -> bool:
        return self.amount_due_minor > 0 and self.due_date < timezone.localdate()

    def allowed_transitions(self) -> set[str]:
        return INVOICE_TRANSITIONS.get(self.state, set())


class LineKind(models.TextChoices):
    ITEM = "item", _("Item")
    LATE_FEE = "late_fee", _("Late fee")


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.ITEM)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price_minor = models.BigIntegerField()
    amount_minor = models.BigIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inv_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_minor__gte=0), name="inv_line_price_not_negative"),
        ]

    def __str__(self):
        return self.description

    @property
    def unit_price(self):
        return from_minor(self.unit_price_minor, self.invoice.currency)

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.invoice.currency)


class InvoiceTax(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="taxes")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("tax"), max_length=60)
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3)
    amount_minor = models.BigIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(rate_percent__gte=0), name="inv_tax_rate_not_negative")]

    def __str__(self):
        return f"{self.name} {self.rate_percent}%"

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.invoice.currency)


class Payment(models.Model):
    """Money received on an invoice, in the invoice's currency, with the PKR the bank credited if known."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    received_on = models.DateField(_("received on"))
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    method = models.CharField(_("method"), max_length=10, choices=MethodKind.choices)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    realized_pkr_minor = models.BigIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    transaction = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    conversion = models.ForeignKey(
        "ledger.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="inv_payment_positive")]

    def __str__(self):
        return f"{self.amount} {self.currency} on {self.invoice}"

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)

    @property
    def realized_pkr(self):
        return None if self.realized_pkr_minor is None else from_minor(self.realized_pkr_minor, "PKR")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    ISSUED = "issued", _("Issued")
    EMAILED = "emailed", _("E-mail sent")
    VIEWED = "viewed", _("Viewed by the client")
    PAYMENT = "payment", _("Payment recorded")
    LATE_FEE = "late_fee", _("Late fee added")
    CREDITED = "credited", _("Credit note issued")
    OVERDUE = "overdue", _("Overdue")
    VOIDED = "voided", _("Voided")
    PAID = "paid", _("Paid in full")


class InvoiceEvent(models.Model):
    """The invoice's timeline; every e-mail sent about it is one row with the address it went to."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    message = models.CharField(max_length=300)
    translations = models.JSONField(default=dict, blank=True)  # {language: message} beside the English

    email_to = models.EmailField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message}"

    @property
    def text(self) -> str:
        """The line in the reader's language."""
        return in_reader_language(self.message, self.translations)


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before", _("Before the due date")
    ON_DUE = "due", _("On the due date")
    OVERDUE = "after", _("Overdue")
    LATE_FEE = "late_fee", _("Late fee")


class ReminderLog(models.Model):
    """One row per (invoice, kind, period): the unique constraint is what makes the daily job idempotent."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminder_logs")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    period = models.PositiveIntegerField(default=0)
    run_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "kind", "period"], name="inv_reminder_once_per_period")
        ]

    def __str__(self):
        return f"{self.invoice} {self.kind} {self.period}"
