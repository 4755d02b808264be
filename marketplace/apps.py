from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self):
        from accounts.services import on_profile_changed
        from marketplace import candidates, selectors
        from marketplace.search import index_freelancer
        from messaging import subjects

        on_profile_changed(index_freelancer)
        on_profile_changed(candidates.freelancer_listing_refresh)
        subjects.register("proposal", selectors.proposal_to_talk_about)
        subjects.register("offer", selectors.offer_to_talk_about)
        subjects.register("job", selectors.job_to_talk_about)
