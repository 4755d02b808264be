"""Every invoicing write. Each service runs in one database transaction, checks that the freelancer owns
what they touch, follows INVOICE_TRANSITIONS, and moves money only through ledger.services in the
freelancer's personal book (recipes in MONEY.md):

    issued:       receivable:<client>:<CUR> +T · income:invoices:<CUR> −T
    late fee:     receivable +F · income:late_fees −F
    payment:      cash:<place>:<CUR> +X · receivable −X (then, with a realized PKR, a conversion to cash:bank:PKR)
    credit note:  income:invoices +C · receivable −C
    void:         the issue and late-fee transactions reversed

A refusal is an InvoicingError raised before anything is written or inside the rolled-back transaction.

One module an area (client_link, clients, drafts, issue, payments, credit_notes, reminders, recurring),
each importing only _common and the areas before it in that list; callers import from this package.
"""

# The argument types of the draft services and the error every service raises, as callers have used them.
from invoicing.calculations import LineInput, TaxInput
from invoicing.errors import InvoicingError
from invoicing.services._common import site_url
from invoicing.services.client_link import (
    LINK_SALT,
    invoice_from_token,
    invoice_link_token,
    invoice_link_url,
    invoice_record_view,
)
from invoicing.services.clients import client_save, payment_method_add, settings_get, settings_update
from invoicing.services.credit_notes import credit_note_issue
from invoicing.services.drafts import MAX_LINES, LateFeeRule, invoice_save_draft, invoice_set_reminders
from invoicing.services.issue import invoice_issue, invoice_save, invoice_void
from invoicing.services.payments import payment_record
from invoicing.services.recurring import MONTHS_PER, recurring_occurrence, recurring_run, recurring_save, recurring_stop
from invoicing.services.reminders import (
    _remind_invoice as _remind_invoice,  # the demo data runs one invoice's daily job directly
)
from invoicing.services.reminders import reminders_run

__all__ = [
    "InvoicingError",
    "LineInput",
    "TaxInput",
    "LINK_SALT",
    "LateFeeRule",
    "MAX_LINES",
    "MONTHS_PER",
    "client_save",
    "credit_note_issue",
    "invoice_from_token",
    "invoice_issue",
    "invoice_link_token",
    "invoice_link_url",
    "invoice_record_view",
    "invoice_save",
    "invoice_save_draft",
    "invoice_set_reminders",
    "invoice_void",
    "payment_method_add",
    "payment_record",
    "recurring_occurrence",
    "recurring_run",
    "recurring_save",
    "recurring_stop",
    "reminders_run",
    "settings_get",
    "settings_update",
    "site_url",
]
