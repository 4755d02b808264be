from django.db import models
from django.utils.translation import gettext_lazy as _


class InsightSnapshot(models.Model):
    """Anonymized platform statistics as of one day, computed nightly so the public page never aggregates live.

    `data` holds only aggregates over at least `insights.services.K` distinct people: counts, medians and totals
    in integer minor units with their currency; never a name, e-mail, slug or free text."""

    period = models.DateField(_("figures as of"), unique=True, help_text="One snapshot per day; a rerun replaces it")
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-id"]
        get_latest_by = "computed_at"

    def __str__(self):
        return f"Insights as of {self.period.isoformat()}"
