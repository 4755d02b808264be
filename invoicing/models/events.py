"""What happened to an invoice (its timeline) and which reminders and late fees were sent."""

from django.db import models
from django.utils import timezone

from common.translations import in_reader_language
from invoicing.models.choices import EventKind, ReminderKind
from invoicing.models.invoices import Invoice


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
