from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "payouts"
    verbose_name = "Withdrawals"

    def ready(self):
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from ledger.references import Link, register_reference

        def withdrawals(ids):
            return {
                pk: Link(_("Withdrawal #%(n)d") % {"n": pk}, reverse("payouts:withdrawal_detail", args=[pk]))
                for pk in ids
            }

        register_reference("withdrawal", withdrawals)
