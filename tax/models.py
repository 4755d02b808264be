"""The freelancer's tax status over time (Active Taxpayer List, PSEB registration date, kind of service) and
the PSEB expiry reminders already sent. The PSEB number and expiry live on accounts.FreelancerProfile."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    IT = "it", _("IT and IT-enabled services")
    OTHER = "other", _("Other services")


class TaxProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tax_profile")
    service_kind = models.CharField(
        _("what you export"), max_length=8, choices=ServiceKind.choices, default=ServiceKind.IT
    )
    atl_since = models.DateField(_("on the Active Taxpayer List since"), null=True, blank=True)
    atl_until = models.DateField(_("off the Active Taxpayer List from"), null=True, blank=True)
    pseb_registered_on = models.DateField(_("PSEB registration date"), null=True, blank=True)

    def __str__(self):
        return f"tax profile of {self.user_id}"

    def on_atl(self, on: date) -> bool:
        return self.atl_since is not None and self.atl_since <= on and (self.atl_until is None or on < self.atl_until)


class PsebReminder(models.Model):
    """One reminder sent for one expiry date and one lead time; the unique constraint makes sending idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "expires_on", "days_before"], name="tax_pseb_reminder_once")
        ]

    def __str__(self):
        return f"PSEB reminder {self.days_before}d before {self.expires_on}"
