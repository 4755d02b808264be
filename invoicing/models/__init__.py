"""Invoices for a freelancer's direct clients: the clients book, invoices and credit notes with their lines
and taxes, payments, the timeline, reminder logs and recurring templates.

Money is stored as integer minor units of the invoice's currency; totals are kept by invoicing.services
(computed once with ledger.money's rounding rule) and never edited by hand. Numbers are given at issue
time from the freelancer's counter row (InvoiceSettings), so drafts have none and issued numbers have no gaps.

One module an area (choices, clients, recurring, invoices, payments, events); Django finds every model
through this package, and callers import from it.
"""

from invoicing.models.choices import (
    INVOICE_TRANSITIONS,
    OPEN_STATES,
    DocumentKind,
    EventKind,
    InvoiceState,
    LateFeeKind,
    LineKind,
    MethodKind,
    RecurringFrequency,
    ReminderKind,
)
from invoicing.models.clients import Client, InvoiceSettings, PaymentMethod
from invoicing.models.events import InvoiceEvent, ReminderLog
from invoicing.models.invoices import Invoice, InvoiceLine, InvoiceTax
from invoicing.models.payments import Payment
from invoicing.models.recurring import RecurringTemplate

__all__ = [
    "Client",
    "DocumentKind",
    "EventKind",
    "INVOICE_TRANSITIONS",
    "Invoice",
    "InvoiceEvent",
    "InvoiceLine",
    "InvoiceSettings",
    "InvoiceState",
    "InvoiceTax",
    "LateFeeKind",
    "LineKind",
    "MethodKind",
    "OPEN_STATES",
    "Payment",
    "PaymentMethod",
    "RecurringFrequency",
    "RecurringTemplate",
    "ReminderKind",
    "ReminderLog",
]
