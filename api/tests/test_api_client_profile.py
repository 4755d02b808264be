"""Your client profile and profile photos through the API, as their pages make them: the client profile edited
field by field with the page's form (a refusal saves nothing, not even the first profile), and photos checked,
cropped and removed as the photo forms do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import ClientProfile, FreelancerProfile
from accounts.tests.test_photos import image_bytes
from api.tests.test_api_contracts import read_only
from api.tests.test_conventions import assert_problem
from marketplace.tests.factories import make_client, make_freelancer

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def jpeg(name="me.jpg"):
    return SimpleUploadedFile(name, image_bytes("JPEG", size=(400, 300)), content_type="image/jpeg")


def test_a_client_profile_is_read_and_changed_field_by_field(api):
    client = make_client()
    api.force_authenticate(client)
    name = ClientProfile.objects.get(user=client).name
    body = api.get("/api/client-profile/").json()
    assert body["name"] == name and body["photo"] is None and "email" not in body
    response = api.patch("/api/client-profile/", {"country": "GB", "time_zone": "Europe/London"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {**body, "country": "GB", "time_zone": "Europe/London"}
    assert api.patch("/api/client-profile/", {"name": "Acme Ltd"}, format="json").json()["country"] == "GB"


def test_a_refused_client_profile_saves_nothing(api):
    user = make_freelancer()
    api.force_authenticate(user)
    assert not ClientProfile.objects.filter(user=user).exists()
    refused = assert_problem(api.patch("/api/client-profile/", {"time_zone": "Mars/Olympus"}, format="json"), 409)
    assert "time_zone" in refused["errors"]
    assert_problem(api.patch("/api/client-profile/", {"country": "ZZ"}, format="json"), 409)
    assert_problem(api.patch("/api/client-profile/", {"country": "gb"}, format="json"), 400)
    assert_problem(api.patch("/api/client-profile/", {"name": " "}, format="json"), 400)
    assert not ClientProfile.objects.filter(user=user).exists()
    response = api.patch("/api/client-profile/", {"name": "Sana Builds"}, format="json")
    assert response.status_code == 200 and ClientProfile.objects.get(user=user).name == "Sana Builds"


def test_a_read_only_token_reads_the_client_profile_but_changes_nothing(api):
    client = make_client()
    read_only(api, client)
    assert api.get("/api/client-profile/").status_code == 200
    assert_problem(api.patch("/api/client-profile/", {"name": "Other"}, format="json"), 403)
    assert_problem(api.put("/api/client-profile/photo/", {"photo": jpeg()}, format="multipart"), 403)
    assert_problem(api.delete("/api/profile/photo/"), 403)
    assert ClientProfile.objects.get(user=client).name != "Other"
    assert not ClientProfile.objects.get(user=client).photo


@pytest.mark.parametrize(("address", "model"), [("/api/client-profile/photo/", ClientProfile),
                                                ("/api/profile/photo/", FreelancerProfile)])  # fmt: skip
def test_a_photo_is_checked_cropped_and_removed(api, address, model):
    user = make_freelancer()
    make_client(email=f"other-{user.pk}@example.com")  # someone else's profile is never touched
    api.force_authenticate(user)
    fake = SimpleUploadedFile("me.png", b"\x89PNG not really", content_type="image/png")
    assert_problem(api.put(address, {"photo": fake}, format="multipart"), 409)
    assert_problem(api.put(address, {}, format="multipart"), 400)
    assert not model.objects.filter(user=user).exclude(photo="").exists()
    response = api.put(address, {"photo": jpeg()}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["photo"] and response.json()["photo_small"]
    profile = model.objects.get(user=user)
    assert profile.photo and profile.photo_small
    assert [p.pk for p in model.objects.exclude(photo="")] == [profile.pk]
    assert api.delete(address).status_code == 204
    assert not model.objects.get(user=user).photo
    assert api.delete(address).status_code == 204  # nothing to remove: nothing happens
