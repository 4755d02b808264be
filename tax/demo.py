"""Demo: Ayesha's tax profile (IT services, on the ATL, PSEB-registered), after the books' demo history."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from books.demo import EMAIL
from tax.services import tax_profile_update


def seed() -> str:
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        return ""
    start = timezone.localdate() - timedelta(days=400)
    tax_profile_update(
        user=user,
        service_kind="it",
        atl_since=start - timedelta(days=365),
        atl_until=None,
        pseb_registered_on=start - timedelta(days=200),
    )
    return "Tax: Ayesha's profile (IT exports, ATL, PSEB)."
