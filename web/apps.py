from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Web"

    def ready(self):
        from huey.contrib.djhuey import HUEY

        from kamai import logs, metrics

        logs.connect_huey(HUEY)
        metrics.install()
