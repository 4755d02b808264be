from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self):
        from accounts.services import on_profile_changed
        from marketplace.search import index_freelancer

        on_profile_changed(index_freelancer)
