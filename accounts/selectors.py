"""Reads of profiles that are more than a get."""

import hashlib
from datetime import date

from django.db.models import Prefetch

from accounts.models import ClientProfile, FreelancerProfile, PortfolioItem


def freelancer_public_profile(*, slug: str) -> FreelancerProfile:
    """The profile shown at /f/<slug>/, with skills and portfolio in two extra queries."""
    return (
        FreelancerProfile.objects.select_related("user")
        .prefetch_related("skills", Prefetch("portfolio_items", queryset=PortfolioItem.objects.all()))
        .get(slug=slug, user__is_active=True)
    )


# What a freelancer card shows: the bio and the search vector are the widest columns and no card needs them.
FREELANCER_CARD_FIELDS = (
    "slug",
    "display_name",
    "headline",
    "city",
    "hourly_rate_minor",
    "rate_currency",
    "photo_small",
)


# How many recently updated profiles the home page picks its featured freelancers from.
FEATURED_WINDOW = 150


def featured_freelancers(*, day: date, limit: int = 6) -> list[FreelancerProfile]:
    """The home page's featured freelancers: spread across cities and main skills (no two share a city or a
    main skill while the window holds others), faces first, in an order that holds for the whole day.

    Cheap at any size: the window is the FEATURED_WINDOW most recently updated profiles with a headline, read
    off freelancer_recent_idx, and their main skills (the first skill each added) come from one query on the
    skills table by profile id. Each profile's place is a hash of the day and its id, so the choice stays put
    all day and changes the next, and one profile's edit does not reshuffle the others."""
    window = list(
        FreelancerProfile.objects.filter(user__is_active=True)
        .exclude(headline="")
        .order_by("-updated_at", "-id")
        .values_list("id", "city", "photo_small")[:FEATURED_WINDOW]
    )
    main_skill: dict[int, int] = {}
    for profile_id, skill_id in (
        FreelancerProfile.skills.through.objects.filter(freelancerprofile_id__in=[row[0] for row in window])
        .order_by("id")
        .values_list("freelancerprofile_id", "skill_id")
    ):
        main_skill.setdefault(profile_id, skill_id)

    def place(row) -> tuple[bool, bytes]:
        return (not row[2], hashlib.blake2b(f"{day.isoformat()}:{row[0]}".encode(), digest_size=8).digest())

    window.sort(key=place)
    chosen: list[int] = []
    cities, skills = set(), set()
    for pk, city, _photo in window:
        skill = main_skill.get(pk)
        if len(chosen) == limit or (city and city in cities) or (skill is not None and skill in skills):
            continue
        chosen.append(pk)
        cities.add(city)
        skills.add(skill)
    # Fewer cities or skills than places: fill up in the same order rather than show fewer people.
    chosen += [row[0] for row in window if row[0] not in chosen][: limit - len(chosen)]
    profiles = FreelancerProfile.objects.only(*FREELANCER_CARD_FIELDS).prefetch_related("skills").in_bulk(chosen)
    return [profiles[pk] for pk in chosen if pk in profiles]


def freelancer_profile_or_default(*, user) -> FreelancerProfile:
    """The user's freelancer profile, or an unsaved default one: a page view never creates it (the first save
    does, through services.freelancer_profile_ensure)."""
    return FreelancerProfile.objects.filter(user=user).first() or FreelancerProfile(
        user=user, display_name=user.email.split("@")[0]
    )


def client_profile_or_default(*, user) -> ClientProfile:
    return ClientProfile.objects.filter(user=user).first() or ClientProfile(user=user, name=user.email.split("@")[0])
