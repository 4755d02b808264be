"""Payments recorded on an invoice."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from invoicing.models.choices import MethodKind
from invoicing.models.invoices import Invoice
from ledger.money import CURRENCY_CHOICES, from_minor


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
