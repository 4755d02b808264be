"""Every write to users and profiles. Each runs in one transaction."""

import secrets
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from accounts.images import check_image, check_photo, photo_files, reencode
from accounts.models import ClientProfile, FreelancerProfile, Hat, PortfolioItem, Skill, User
from common import fragments
from common.registry import Registry
from ledger.money import to_minor


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(base) or "freelancer")[:50]
    candidate = base
    taken = FreelancerProfile.objects.exclude(pk=exclude_pk)
    for n in range(2, 1000):
        if not taken.filter(slug=candidate).exists():
            return candidate
        candidate = f"{base}-{n}"
    return f"{base}-{secrets.token_hex(3)}"


@transaction.atomic
def user_switch_hat(*, user: User, hat: str) -> User:
    """Make `hat` the user's active hat, creating the matching profile the first time."""
    if hat not in Hat.values:
        raise ValueError(f"Unknown hat {hat!r}")
    if hat == Hat.FREELANCER:
        freelancer_profile_ensure(user=user)
    else:
        client_profile_ensure(user=user)
    user.active_hat = hat
    user.save(update_fields=["active_hat"])
    return user


def freelancer_profile_ensure(*, user: User) -> FreelancerProfile:
    profile = FreelancerProfile.objects.filter(user=user).first()
    if profile:
        return profile
    name = user.email.split("@")[0]
    profile = FreelancerProfile.objects.create(user=user, display_name=name, slug=_unique_slug(name))
    _index(profile)
    return profile


# Apps above accounts that keep something derived from a profile (marketplace's search index) register here
# in AppConfig.ready; accounts imports none of them.
_PROFILE_LISTENERS: Registry = Registry("freelancer profile listeners")


def on_profile_changed(listener) -> None:
    """Call `listener(profile)` after every write that changes a freelancer profile's text, skills or availability."""
    _PROFILE_LISTENERS.register(listener)


def _index(profile: FreelancerProfile) -> None:
    fragments.changed("freelancers")
    for listener in _PROFILE_LISTENERS:
        listener(profile)


def client_profile_ensure(*, user: User) -> ClientProfile:
    profile, _ = ClientProfile.objects.get_or_create(user=user, defaults={"name": user.email.split("@")[0]})
    return profile


@transaction.atomic
def freelancer_profile_update(
    *,
    profile: FreelancerProfile,
    display_name: str,
    slug: str = "",
    headline: str = "",
    bio: str = "",
    city: str = "",
    skills: list[Skill] | None = None,
    hourly_rate: Decimal | None = None,
    rate_currency: str = "USD",
    languages: list[str] | None = None,
    availability: str = "full_time",
    pseb_registration_number: str = "",
    pseb_expires_on=None,
    ntn: str = "",
) -> FreelancerProfile:
    """Save the profile's fields; the hourly rate is stored in minor units of its currency."""
    profile.display_name = display_name.strip()
    profile.slug = slug or profile.slug or _unique_slug(display_name, exclude_pk=profile.pk)
    profile.headline = headline.strip()
    profile.bio = bio.strip()
    profile.city = city
    profile.rate_currency = rate_currency
    profile.hourly_rate_minor = None if hourly_rate is None else to_minor(hourly_rate, rate_currency)
    profile.languages = list(languages or [])
    profile.availability = availability
    profile.pseb_registration_number = pseb_registration_number.strip()
    profile.pseb_expires_on = pseb_expires_on
    profile.ntn = ntn.strip()
    profile.full_clean()
    profile.save()
    if skills is not None:
        profile.skills.set(skills)
    _index(profile)
    return profile


@transaction.atomic
def client_profile_update(*, profile: ClientProfile, name: str, country: str = "", time_zone: str = "UTC"):
    profile.name = name.strip()
    profile.country = country
    profile.time_zone = time_zone
    profile.full_clean()
    profile.save()
    fragments.changed("jobs")
    return profile


@transaction.atomic
def portfolio_item_save(
    *,
    profile: FreelancerProfile,
    title: str,
    description: str = "",
    link: str = "",
    image=None,
    item: PortfolioItem | None = None,
) -> PortfolioItem:
    """Create or update a portfolio item; a new image is checked, re-encoded and thumbnailed."""
    item = item or PortfolioItem(profile=profile)
    item.title = title.strip()
    item.description = description.strip()
    item.link = link.strip()
    if image is not None:
        check_image(image)
        full, thumb = reencode(image, secrets.token_hex(8))
        if item.image:
            item.image.delete(save=False)
            item.thumbnail.delete(save=False)
        item.image.save(full.name, full, save=False)
        item.thumbnail.save(thumb.name, thumb, save=False)
    item.full_clean()
    item.save()
    fragments.changed("freelancers")
    return item


@transaction.atomic
def portfolio_item_delete(*, item: PortfolioItem) -> None:
    if item.image:
        item.image.delete(save=False)
        item.thumbnail.delete(save=False)
    item.delete()
    fragments.changed("freelancers")


# --- Profile photos (freelancer and client profiles alike) ---------------------------------------------------


def _delete_after_commit(names: list[str]) -> None:
    # Files are not part of the database transaction: remove old ones only once the new row is committed.
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


@transaction.atomic
def profile_photo_set(*, profile: FreelancerProfile | ClientProfile, upload) -> FreelancerProfile | ClientProfile:
    """Check the upload (a real JPEG, PNG or WebP within the limits), store square WebP crops of it without
    EXIF through the default storage, and replace the profile's previous photo."""
    check_photo(upload)
    files = photo_files(upload, secrets.token_urlsafe(12))
    old = [profile.photo.name, profile.photo_small.name]
    for field, content in files.items():
        getattr(profile, field).save(content.name, content, save=False)
    profile.save(update_fields=[*files, "updated_at"])
    fragments.changed("freelancers", "jobs")
    _delete_after_commit(old)
    return profile


@transaction.atomic
def profile_photo_remove(*, profile: FreelancerProfile | ClientProfile) -> FreelancerProfile | ClientProfile:
    """Forget the profile's photo and delete its files; the initials show instead."""
    old = [profile.photo.name, profile.photo_small.name]
    profile.photo = profile.photo_small = ""
    profile.save(update_fields=["photo", "photo_small", "updated_at"])
    fragments.changed("freelancers", "jobs")
    _delete_after_commit(old)
    return profile
