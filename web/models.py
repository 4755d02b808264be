from django.db import models


class Heartbeat(models.Model):
    """Last time a scheduled job ran; the health page shows it so a dead scheduler is visible."""

    name = models.CharField(max_length=80, unique=True)
    last_run_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} @ {self.last_run_at:%Y-%m-%d %H:%M}"
