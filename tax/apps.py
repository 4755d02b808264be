from django.apps import AppConfig


class TaxConfig(AppConfig):
    name = "tax"
    verbose_name = "Tax"

    def ready(self):
        from books import tax_notes
        from tax import selectors

        def income_rule(user):
            status = selectors.status_of(user)
            return lambda entry: selectors.receipt_rule(status, entry)

        tax_notes.register(income_rule=income_rule, with_retention=selectors.with_retention)
