from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts and escrow"

    def ready(self):
        from contracts import selectors, services
        from contracts.references import register
        from marketplace.services import on_disputes_lost, on_offer_accepted
        from messaging import subjects

        register()
        subjects.register("contract", selectors.contract_to_talk_about)
        on_offer_accepted(services.contract_create_from_offer)
        on_disputes_lost(
            lambda *, freelancer: selectors.disputes_decided_against(freelancer=freelancer).values_list(
                "contract_id", "contract__offer_id"
            )
        )
