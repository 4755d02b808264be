"""Invoices and credit notes, their lines and taxes; amounts in integer minor units."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoicing.models.choices import INVOICE_TRANSITIONS, DocumentKind, InvoiceState, LateFeeKind, LineKind
from invoicing.models.clients import Client, PaymentMethod
from invoicing.models.recurring import RecurringTemplate
from ledger.money import CURRENCY_CHOICES, convert, from_minor, to_minor


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
