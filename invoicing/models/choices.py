"""The invoice's states and the table of allowed transitions, and the other choices invoicing models use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class RecurringFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class LineKind(models.TextChoices):
    ITEM = "item", _("Item")
    LATE_FEE = "late_fee", _("Late fee")


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


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before", _("Before the due date")
    ON_DUE = "due", _("On the due date")
    OVERDUE = "after", _("Overdue")
    LATE_FEE = "late_fee", _("Late fee")
