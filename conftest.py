"""Suite-wide test set-up: Huey runs jobs inline (the worker test turns that off), mail goes through
the queued backend into Django's outbox, and passwords use a cheap Argon2 so tests stay fast."""

import pytest
from django.utils import translation
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def _kamai_test_settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "kamai.mail.QueuedEmailBackend"
    settings.KAMAI_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["kamai.testing.FastArgon2PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A private in-memory cache per test, so rate limits never leak between tests (and Redis is left alone).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    previous = HUEY.immediate
    HUEY.immediate = True
    # Every test starts in the default language: a test that switched to Urdu must not change another's messages.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    HUEY.immediate = previous
    translation.deactivate()
