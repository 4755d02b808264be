from datetime import date, timedelta

from django.core import mail

from accounts.tests.factories import FreelancerProfileFactory
from tax.models import PsebReminder
from tax.services import pseb_reminders_send


def test_pseb_reminders_are_sent_once_30_and_7_days_before(db):
    profile = FreelancerProfileFactory(pseb_registration_number="PSEB-9", pseb_expires_on=date(2026, 5, 31))
    day30 = profile.pseb_expires_on - timedelta(days=30)
    assert pseb_reminders_send(today=day30 - timedelta(days=1)) == 0
    assert pseb_reminders_send(today=day30) == 1
    assert pseb_reminders_send(today=day30) == 0
    assert pseb_reminders_send(today=day30 + timedelta(days=5)) == 0
    assert pseb_reminders_send(today=profile.pseb_expires_on - timedelta(days=7)) == 1
    assert pseb_reminders_send(today=profile.pseb_expires_on - timedelta(days=6)) == 0
    assert len(mail.outbox) == 2 and "PSEB-9" in mail.outbox[0].body
    assert PsebReminder.objects.count() == 2


def test_late_registration_gets_only_the_urgent_reminder(db):
    profile = FreelancerProfileFactory(pseb_registration_number="PSEB-8", pseb_expires_on=date(2026, 5, 31))
    assert pseb_reminders_send(today=date(2026, 5, 27)) == 1
    assert pseb_reminders_send(today=date(2026, 5, 28)) == 0
    assert len(mail.outbox) == 1 and PsebReminder.objects.filter(user=profile.user).count() == 2
