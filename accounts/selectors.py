"""Reads of profiles that are more than a get."""

from django.db.models import Prefetch, QuerySet

from accounts.models import ClientProfile, FreelancerProfile, PortfolioItem


def freelancer_public_profile(*, slug: str) -> FreelancerProfile:
    """The profile shown at /f/<slug>/, with skills and portfolio in two extra queries."""
    return (
        FreelancerProfile.objects.select_related("user")
        .prefetch_related("skills", Prefetch("portfolio_items", queryset=PortfolioItem.objects.all()))
        .get(slug=slug, user__is_active=True)
    )


# What a freelancer card shows: the bio and the search vector are the widest columns and no card needs them.
FREELANCER_CARD_FIELDS = ("slug", "display_name", "headline", "city", "hourly_rate_minor", "rate_currency")


def freelancer_directory(*, limit: int = 12) -> QuerySet[FreelancerProfile]:
    """The most recently updated profiles with a headline, read straight off freelancer_recent_idx."""
    return (
        FreelancerProfile.objects.filter(user__is_active=True)
        .exclude(headline="")
        .only(*FREELANCER_CARD_FIELDS)
        .prefetch_related("skills")
        .order_by("-updated_at", "-id")[:limit]
    )


def freelancer_profile_or_default(*, user) -> FreelancerProfile:
    """The user's freelancer profile, or an unsaved default one: a page view never creates it (the first save
    does, through services.freelancer_profile_ensure)."""
    return FreelancerProfile.objects.filter(user=user).first() or FreelancerProfile(
        user=user, display_name=user.email.split("@")[0]
    )


def client_profile_or_default(*, user) -> ClientProfile:
    return ClientProfile.objects.filter(user=user).first() or ClientProfile(user=user, name=user.email.split("@")[0])
