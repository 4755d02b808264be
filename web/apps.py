from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Web"

    def ready(self):
        from huey.contrib.djhuey import HUEY

        from kamai import logs, metrics
        from ledger.services import register_projector
        from web.freshness import owners_wanted, postings_made_parts_stale

        logs.connect_huey(HUEY)
        metrics.install()
        register_projector(postings_made_parts_stale, wants=owners_wanted, needs_transaction=False)
