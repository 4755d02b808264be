"""Templates of recurring invoices."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from invoicing.models.choices import RecurringFrequency
from invoicing.models.clients import Client, PaymentMethod
from ledger.money import CURRENCY_CHOICES


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
