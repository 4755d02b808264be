"""Profile photos: checked by content, re-encoded without metadata, thumbnailed, stored through the default
storage, shown lazy-loaded; the initials stand in when there is none."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from accounts.images import PHOTO_SIDES
from accounts.tests.factories import ClientProfileFactory, FreelancerProfileFactory

pytestmark = pytest.mark.django_db


def image_bytes(fmt="JPEG", size=(900, 600), color=(30, 120, 200), exif=None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(buffer, fmt, exif=exif)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def upload(data: bytes, name="me.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def camera_exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SpyCam Ltd"  # Make
    exif[0x8825] = {2: (31.0, 30.0, 0.0)}  # GPSInfo: where the photo was taken
    return exif


def post_photo(client, whose, data, **kwargs):
    return client.post(reverse("accounts:profile_photo_upload", args=[whose]), {"photo": upload(data, **kwargs)})


def test_good_photo_is_cropped_square_reencoded_as_webp_and_thumbnailed(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    response = post_photo(client, "freelancer", image_bytes(size=(1200, 800)))
    assert response.status_code == 302
    profile.refresh_from_db()
    for field, side in PHOTO_SIDES.items():
        stored = getattr(profile, field)
        assert default_storage.exists(stored.name)
        with default_storage.open(stored.name) as handle:
            data = handle.read()
        with Image.open(io.BytesIO(data)) as image:
            assert (image.format, image.size) == ("WEBP", (side, side))
        assert len(data) < 20_000, f"{field} is {len(data)} bytes"


def test_exif_is_stripped_and_the_picture_turned_upright(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    # A landscape left half red, right half blue, tagged "rotate 90° clockwise to view" (orientation 6).
    image = Image.new("RGB", (800, 400), (255, 0, 0))
    image.paste((0, 0, 255), (400, 0, 800, 400))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=camera_exif(6))
    assert b"SpyCam" in buffer.getvalue()
    assert post_photo(client, "freelancer", buffer.getvalue()).status_code == 302
    profile.refresh_from_db()
    with default_storage.open(profile.photo.name) as handle:
        data = handle.read()
    assert b"SpyCam" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
        rgb = stored.convert("RGB")
        # Turned upright, the red half is on top and the blue half below.
        top, bottom = rgb.getpixel((40, 20)), rgb.getpixel((40, 300))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_png_with_transparency_and_webp_are_accepted(client):
    profile = ClientProfileFactory()
    client.force_login(profile.user)
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(buffer, "PNG")
    assert post_photo(client, "client", buffer.getvalue(), name="a.png", content_type="image/png").status_code == 302
    profile.refresh_from_db()
    with default_storage.open(profile.photo_small.name) as handle, Image.open(handle) as image:
        assert image.convert("RGB").getpixel((10, 10)) == (255, 255, 255)  # transparent became white
    webp = image_bytes("WEBP", size=(200, 200))
    assert post_photo(client, "client", webp, name="b.webp", content_type="image/webp").status_code == 302


def test_non_image_renamed_png_is_refused_with_a_clear_message(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    response = post_photo(client, "freelancer", b"MZ\x90\x00 this is an exe" * 50, name="cat.png")
    assert response.status_code == 200
    assert "This file is not a JPEG, PNG or WebP image." in response.content.decode()
    profile.refresh_from_db()
    assert not profile.photo


def test_gif_is_refused_by_name(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    response = post_photo(client, "freelancer", image_bytes("GIF", size=(100, 100)), name="a.gif")
    assert "GIF images are not accepted. Upload a JPEG, PNG or WebP image." in response.content.decode()
    profile.refresh_from_db()
    assert not profile.photo


def test_huge_images_are_refused_by_bytes_and_by_pixels(client, settings):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    # 48 megapixels of one colour: a few hundred KB of PNG that would take 144 MB to decode.
    response = post_photo(client, "freelancer", image_bytes("PNG", size=(8000, 6000)), name="big.png")
    assert "the limit is 40 million pixels" in response.content.decode()
    settings.KAMAI_MAX_IMAGE_BYTES = 10_000
    response = post_photo(client, "freelancer", image_bytes() + b"\0" * 20_000)
    assert "the limit is" in response.content.decode() and "MB" in response.content.decode()
    profile.refresh_from_db()
    assert not profile.photo


def test_replacing_and_removing_delete_the_old_files(client, django_capture_on_commit_callbacks):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client, "freelancer", image_bytes())
    profile.refresh_from_db()
    first = [profile.photo.name, profile.photo_small.name]
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client, "freelancer", image_bytes(color=(10, 200, 10)))
    profile.refresh_from_db()
    assert profile.photo.name not in first
    assert not any(default_storage.exists(name) for name in first)
    second = [profile.photo.name, profile.photo_small.name]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:profile_photo_remove", args=["freelancer"]))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.photo and not profile.photo_small
    assert not any(default_storage.exists(name) for name in second)


def test_a_stranger_cannot_change_or_remove_someone_elses_photo(client):
    owner = FreelancerProfileFactory()
    client.force_login(owner.user)
    post_photo(client, "freelancer", image_bytes())
    owner.refresh_from_db()
    photo = owner.photo.name

    stranger = FreelancerProfileFactory()
    client.force_login(stranger.user)
    # The forms act on the signed-in user's own profile only; there is no id to point at someone else.
    post_photo(client, "freelancer", image_bytes(color=(0, 0, 0)))
    client.post(reverse("accounts:profile_photo_remove", args=["freelancer"]))
    owner.refresh_from_db()
    assert owner.photo.name == photo and default_storage.exists(photo)

    client.logout()
    response = client.post(
        reverse("accounts:profile_photo_upload", args=["freelancer"]), {"photo": upload(image_bytes())}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("accounts:profile_photo_upload", args=["freelancer"])).status_code in (302, 405)


def test_get_on_the_photo_urls_writes_nothing(client):
    profile = FreelancerProfileFactory()
    client.force_login(profile.user)
    assert client.get(reverse("accounts:profile_photo_remove", args=["freelancer"])).status_code == 405


@override_settings(KAMAI_MAX_IMAGE_BYTES=5 * 1024 * 1024)
def test_pages_show_photos_lazy_loaded_with_size_and_alt_or_initials(client):
    with_photo = FreelancerProfileFactory(display_name="Ayesha Khan", headline="Designer", slug="ayesha-k")
    FreelancerProfileFactory(display_name="Bilal Ahmed", headline="Writer", slug="bilal-a")
    client.force_login(with_photo.user)
    post_photo(client, "freelancer", image_bytes())
    with_photo.refresh_from_db()
    client.logout()

    for url in (reverse("marketplace:freelancer_search"), reverse("web:home")):
        html = client.get(url).content.decode()
        tag = re.search(r'<img class="avatar"[^>]*>', html).group(0)
        assert with_photo.photo_small.url in tag
        assert 'loading="lazy"' in tag and 'width="48"' in tag and 'height="48"' in tag
        assert 'alt="Photo of Ayesha Khan"' in tag
        assert '<span class="avatar initials" aria-hidden="true">BA</span>' in html

    html = client.get(reverse("marketplace:freelancer_public", args=["ayesha-k"])).content.decode()
    tag = re.search(r'<img class="avatar large"[^>]*>', html).group(0)
    assert with_photo.photo.url in tag and 'width="160"' in tag and 'loading="lazy"' in tag
    html = client.get(reverse("marketplace:freelancer_public", args=["bilal-a"])).content.decode()
    assert '<span class="avatar large initials" aria-hidden="true">BA</span>' in html
