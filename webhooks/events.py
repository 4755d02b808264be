"""The events a user can subscribe an endpoint to: one table, named as they appear in the payload's `type`."""

from django.utils.translation import gettext_lazy as _

MILESTONE_FUNDED = "milestone.funded"
MILESTONE_RELEASED = "milestone.released"
INVOICE_VIEWED = "invoice.viewed"
INVOICE_PAID = "invoice.paid"
WITHDRAWAL_SETTLED = "withdrawal.settled"
IMPORT_FINISHED = "import.finished"

EVENTS = {
    MILESTONE_FUNDED: _("A milestone was funded into escrow"),
    MILESTONE_RELEASED: _("A milestone was released to the freelancer"),
    INVOICE_VIEWED: _("A client opened an invoice"),
    INVOICE_PAID: _("An invoice was paid in full"),
    WITHDRAWAL_SETTLED: _("A withdrawal was paid by the bank"),
    IMPORT_FINISHED: _("A statement import finished"),
}
