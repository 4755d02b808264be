"""Writes of the tax app: the freelancer's tax status, and PSEB expiry reminders (idempotent)."""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import FreelancerProfile
from tax.models import PsebReminder, ServiceKind, TaxProfile

REMINDER_DAYS = (30, 7)


class TaxError(Exception):
    """A refusal fit to show; nothing was saved."""


def tax_profile_update(
    *, user, service_kind: str, atl_since: date | None, atl_until: date | None, pseb_registered_on: date | None
) -> TaxProfile:
    """Record the freelancer's status over time; moves no money."""
    if service_kind not in ServiceKind.values:
        raise TaxError(_("Choose what you export."))
    if atl_since and atl_until and atl_until <= atl_since:
        raise TaxError(_("The date you left the Active Taxpayer List must be after the date you joined it."))
    profile, _created = TaxProfile.objects.update_or_create(
        user=user,
        defaults={
            "service_kind": service_kind,
            "atl_since": atl_since,
            "atl_until": atl_until,
            "pseb_registered_on": pseb_registered_on,
        },
    )
    return profile


def pseb_reminders_send(*, today: date) -> int:
    """E-mail each freelancer whose PSEB registration expires in 30 or 7 days (or fewer, if a reminder was
    missed): at most one e-mail per lead time per expiry date, however often this runs. Returns e-mails sent."""
    sent = 0
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    profiles = (
        FreelancerProfile.objects.select_related("user")
        .filter(pseb_expires_on__gte=today, pseb_expires_on__lte=horizon)
        .exclude(pseb_registration_number="")
    )
    for profile in profiles:
        days_left = (profile.pseb_expires_on - today).days
        due = [d for d in REMINDER_DAYS if days_left <= d]
        if not due:
            continue
        # Only the most urgent lead time is mailed; the earlier ones it supersedes are marked as sent.
        for days_before in sorted(due, reverse=True):
            try:
                with transaction.atomic():
                    PsebReminder.objects.create(
                        user=profile.user, expires_on=profile.pseb_expires_on, days_before=days_before
                    )
            except IntegrityError:
                continue
            if days_before == min(due):
                send_mail(
                    _("Your PSEB registration expires in %(days)s days") % {"days": days_left},
                    _(
                        "Your PSEB registration %(number)s expires on %(date)s. After it lapses, banks deduct tax on "
                        "your IT export proceeds at the higher rate for exporters who are not PSEB-registered. "
                        "Renew it at pseb.org.pk; see the effect on your estimate at %(url)s."
                    )
                    % {
                        "number": profile.pseb_registration_number,
                        "date": profile.pseb_expires_on.isoformat(),
                        "url": getattr(settings, "KAMAI_SITE_URL", "") + reverse("tax:tax_home"),
                    },
                    None,
                    [profile.user.email],
                )
                sent += 1
    return sent
