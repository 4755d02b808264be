"""A freelancer's invoice settings (numbering, defaults), payment methods and clients."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from invoicing.models.choices import MethodKind
from ledger.money import CURRENCY_CHOICES


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
