from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts and escrow"

    def ready(self):
        from contracts.references import register

        register()
