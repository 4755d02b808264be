"""Uploads on a real S3-compatible server (moto's, see conftest): they land in the private bucket, reach their
owner through the permission-checked view byte for byte, and nobody else, with or without the bucket's address."""

import urllib.error
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import FreelancerProfileFactory
from books.models import Entry

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

pytestmark = pytest.mark.django_db


def _anonymous_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (our local test server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _add_expense_with_receipt(client, user) -> Entry:
    client.force_login(user)
    form = {"key": "s3-receipt", "occurred_on": "2025-07-03", "amount": "1500", "currency": "PKR",
            "category": "internet", "place": "cash", "note": "PTCL",
            "receipt": SimpleUploadedFile("bill.png", PNG, content_type="image/png")}  # fmt: skip
    assert client.post(reverse("books:expense_add"), form).status_code == 302
    return Entry.objects.get(user=user)


def test_a_receipt_uploaded_through_the_form_lands_in_the_private_bucket(client, s3_bucket):
    owner, stranger = FreelancerProfileFactory().user, FreelancerProfileFactory().user
    entry = _add_expense_with_receipt(client, owner)

    keys = [obj["Key"] for obj in s3_bucket.client.list_objects_v2(Bucket=s3_bucket.name).get("Contents", [])]
    assert keys == [entry.receipt.name]
    stored = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=entry.receipt.name)["Body"].read()
    assert stored == PNG

    url = reverse("books:entry_receipt", args=[entry.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["Cache-Control"] == "private, no-store"

    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page

    # The bucket itself refuses anyone without a signature; the storage's own URLs are signed and expire.
    assert _anonymous_status(f"{s3_bucket.endpoint}/{s3_bucket.name}/{entry.receipt.name}") == 403
    acl = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=entry.receipt.name)
    assert not [grant for grant in acl["Grants"] if grant["Grantee"].get("URI", "").endswith("/AllUsers")]
    signed = default_storage.url(entry.receipt.name)
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=" in signed
    assert _anonymous_status(signed) == 200


def test_a_receipt_missing_from_the_bucket_is_a_404_not_a_500(client, s3_bucket):
    owner = FreelancerProfileFactory().user
    entry = _add_expense_with_receipt(client, owner)
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=entry.receipt.name)
    assert client.get(reverse("books:entry_receipt", args=[entry.pk])).status_code == 404


def test_the_rest_of_the_suite_stays_on_the_local_disk(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
