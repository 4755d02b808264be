"""Where uploads live: the local disk by default, an S3-compatible bucket when S3_BUCKET is set.

Every upload goes through Django's storage API (`FieldFile.open`, `storage.save`, `storage.delete`), never a
path on disk, so the same code runs on both. The bucket is private: objects are written with the private ACL
and every URL Django makes for one is signed and short-lived (see docs/DECISIONS.md 27).
"""

LOCAL_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Objects larger than this spill from memory to a temporary file while a view streams them.
S3_MAX_MEMORY_BYTES = 2 * 1024 * 1024
# Public images (portfolio, profile photos) are shown through signed URLs that last this long.
S3_URL_SECONDS = 60 * 60


def s3_storage(
    *,
    bucket_name: str,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    addressing_style: str | None = None,
) -> dict:
    """The STORAGES["default"] entry for a private bucket; a missing value falls back to boto3's own lookup
    (environment, instance role)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "addressing_style": addressing_style or None,
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_URL_SECONDS,
            # Django's own rule: a new upload never replaces another's file that happens to share its name.
            "file_overwrite": False,
            "max_memory_size": S3_MAX_MEMORY_BYTES,
        },
    }
