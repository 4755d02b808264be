import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import PortfolioItem, Skill
from accounts.tests.factories import ClientProfileFactory, FreelancerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(800, 600), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def profile_form(**overrides):
    data = {
        "display_name": "Ayesha Siddiqui",
        "slug": "ayesha",
        "headline": "Django developer",
        "bio": "I build web apps.",
        "city": "lahore",
        "skills": [Skill.objects.get(slug="web-development").pk],
        "hourly_rate": "35.50",
        "rate_currency": "USD",
        "languages": ["ur", "en"],
        "availability": "full_time",
        "pseb_registration_number": "PSEB-1",
        "pseb_expires_on": "2030-01-01",
        "ntn": "1234567-8",
    }
    data.update(overrides)
    return data


def test_skills_taxonomy_is_seeded_by_migration():
    names = set(Skill.objects.values_list("name", flat=True))
    for expected in ["Web development", "Graphic design", "SEO", "Virtual assistance", "Accounting", "Translation"]:
        assert expected in names


def test_freelancer_edits_profile_and_public_page_shows_it(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    response = client.post(reverse("accounts:freelancer_profile_edit"), profile_form())
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.hourly_rate_minor == 3550
    assert profile.hourly_rate == Decimal("35.50")
    assert profile.slug == "ayesha"
    assert profile.pseb_registered

    client.logout()
    page = client.get("/f/ayesha/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ayesha Siddiqui" in html
    assert "$35.50" in html
    assert "Web development" in html
    assert "PSEB registered" in html
    assert "1234567-8" not in html  # the NTN is private


def test_rate_with_too_many_decimals_is_refused_and_nothing_saved(client):
    profile = FreelancerProfileFactory(display_name="Before")
    client.force_login(profile.user)
    response = client.post(reverse("accounts:freelancer_profile_edit"), profile_form(hourly_rate="12.345"))
    assert response.status_code == 200
    assert "12.345 has more decimals than USD allows" in response.content.decode()
    profile.refresh_from_db()
    assert profile.display_name == "Before"


def test_slug_taken_by_someone_else_is_refused(client):
    FreelancerProfileFactory(slug="taken")
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    response = client.post(reverse("accounts:freelancer_profile_edit"), profile_form(slug="taken"))
    assert response.status_code == 200
    assert "That address is taken" in response.content.decode()


def test_unknown_profile_is_404(client):
    assert client.get("/f/nobody-here/").status_code == 404


def test_profile_edit_requires_login(client):
    response = client.get(reverse("accounts:freelancer_profile_edit"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_portfolio_upload_is_reencoded_and_thumbnailed(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    upload = SimpleUploadedFile("shot.png", png_bytes((2400, 1200)), content_type="image/png")
    response = client.post(
        reverse("accounts:portfolio_item_new"),
        {"title": "Shop redesign", "description": "A Shopify store", "link": "https://example.com", "image": upload},
    )
    assert response.status_code == 302
    item = PortfolioItem.objects.get(profile=profile)
    with Image.open(item.image.path) as image:
        assert image.format == "JPEG"  # re-encoded, not the file we were sent
        assert max(image.size) == 1600
    with Image.open(item.thumbnail.path) as thumb:
        assert max(thumb.size) == 400
    assert item.thumbnail.url in client.get(f"/f/{profile.slug}/").content.decode()


def test_text_file_named_png_is_refused_and_nothing_saved(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    fake = SimpleUploadedFile("evil.png", b"#!/bin/sh\necho not an image\n", content_type="image/png")
    response = client.post(reverse("accounts:portfolio_item_new"), {"title": "Fake", "image": fake})
    assert response.status_code == 200
    assert "not an image we can read" in response.content.decode()
    assert not PortfolioItem.objects.exists()


def test_oversized_image_is_refused_and_nothing_saved(client, settings):
    settings.KAMAI_MAX_IMAGE_BYTES = 10_000
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    big = SimpleUploadedFile("big.png", png_bytes((1000, 1000)) + b"\0" * 20_000, content_type="image/png")
    response = client.post(reverse("accounts:portfolio_item_new"), {"title": "Big", "image": big})
    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert not PortfolioItem.objects.exists()


def test_stranger_cannot_edit_or_delete_another_users_portfolio_item(client):
    owner = FreelancerProfileFactory()
    item = PortfolioItem.objects.create(profile=owner, title="Mine")
    stranger = FreelancerProfileFactory()
    client.force_login(stranger.user)
    assert client.get(reverse("accounts:portfolio_item_edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("accounts:portfolio_item_edit", args=[item.pk]), {"title": "Hacked"}).status_code == 404
    assert client.post(reverse("accounts:portfolio_item_delete", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.title == "Mine"


def test_profile_edit_only_ever_touches_your_own_profile(client):
    victim = FreelancerProfileFactory(display_name="Victim")
    attacker = FreelancerProfileFactory()
    client.force_login(attacker.user)
    # There is no URL naming another user's profile; posting edits only the attacker's own.
    client.post(reverse("accounts:freelancer_profile_edit"), profile_form(display_name="Pwned", slug="pwned"))
    victim.refresh_from_db()
    assert victim.display_name == "Victim"


def test_client_profile_edit(client):
    profile = ClientProfileFactory()
    client.force_login(profile.user)
    response = client.post(
        reverse("accounts:client_profile_edit"),
        {"name": "Thames Digital", "country": "GB", "time_zone": "Europe/London"},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.name, profile.country, profile.time_zone) == ("Thames Digital", "GB", "Europe/London")
    assert "United Kingdom" in client.get(reverse("web:dashboard")).content.decode()


def test_client_profile_rejects_unknown_country(client):
    profile = ClientProfileFactory()
    client.force_login(profile.user)
    response = client.post(reverse("accounts:client_profile_edit"), {"name": "X", "country": "QQ", "time_zone": "UTC"})
    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.country == "US"


def test_switching_hats_changes_dashboard_and_creates_profile(client):
    user = UserFactory()
    client.force_login(user)
    assert "Freelancer dashboard" in client.get(reverse("web:dashboard")).content.decode()
    response = client.post(reverse("accounts:switch_hat"), {"hat": "client", "next": "https://evil.example/"})
    assert response["Location"] == reverse("web:dashboard")  # no open redirect
    user.refresh_from_db()
    assert user.active_hat == "client"
    assert hasattr(user, "client_profile")
    assert "Client dashboard" in client.get(reverse("web:dashboard")).content.decode()


def test_client_time_zone_must_be_a_real_zone(client):
    profile = ClientProfileFactory()
    client.force_login(profile.user)
    response = client.post(
        reverse("accounts:client_profile_edit"), {"name": "X", "country": "US", "time_zone": "Mars/Base"}
    )
    assert response.status_code == 200
    assert "is not a time zone" in response.content.decode()
    profile.refresh_from_db()
    assert profile.time_zone == "UTC"
