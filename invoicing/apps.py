from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from invoicing.models import Invoice
        from ledger.references import Link, register_reference

        def invoices(ids):
            rows = Invoice.objects.filter(pk__in=ids).values_list("pk", "number")
            return {
                pk: Link(
                    _("Invoice %(number)s") % {"number": number or pk}, reverse("invoicing:invoice_detail", args=[pk])
                )
                for pk, number in rows
            }

        register_reference("invoice", invoices)
