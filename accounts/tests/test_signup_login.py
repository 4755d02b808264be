import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import ClientProfile, FreelancerProfile
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _signup(client, email="new@example.com", hat="freelancer"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "hat": hat},
    )


def test_signup_then_verify_email_then_login(client):
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.com")
    assert user.password.startswith("argon2")
    assert FreelancerProfile.objects.filter(user=user).exists()

    # The verification mail went through the queued backend (Huey job) into the outbox.
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", body).group(1)

    # Unverified: logging in is refused until the address is confirmed.
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")

    # Confirming is a POST (a GET only shows the page, so mail scanners cannot confirm).
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified

    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_signup_as_client_wears_the_client_hat(client):
    _signup(client, email="boss@example.com", hat="client")
    user = User.objects.get(email="boss@example.com")
    assert user.active_hat == "client"
    assert ClientProfile.objects.filter(user=user).exists()


def test_signup_with_mismatched_passwords_saves_nothing(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD + "x", "hat": "freelancer"},
    )
    assert response.status_code == 200
    assert "You must type the same password each time" in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_duplicate_email_creates_nothing_and_does_not_reveal_the_account(client):
    UserFactory(email="taken@example.com")
    response = _signup(client, email="taken@example.com")
    # Same answer as a fresh sign-up (no account enumeration); the owner is told by mail instead.
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="taken@example.com").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["taken@example.com"]


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="a@example.com")
    response = client.post(reverse("account_login"), {"login": "a@example.com", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_rate_limited(client):
    UserFactory(email="target@example.com")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "target@example.com", "password": "wrong-password-1"})
    # Even the right password is refused while the limit holds.
    response = client.post(reverse("account_login"), {"login": "target@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_mail_and_new_password(client):
    UserFactory(email="forgot@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key into the session
    new_password = "a-brand-new-passphrase"
    response = client.post(response["Location"], {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    response = client.post(reverse("account_login"), {"login": "forgot@example.com", "password": new_password})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_dashboard_requires_login(client):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def _failed_login(client, email, forwarded_for):
    # REMOTE_ADDR is the load balancer for everyone; the client address arrives in X-Forwarded-For.
    return client.post(
        reverse("account_login"),
        {"login": email, "password": "wrong-password-1"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_trusted_proxy_each_client_address_is_limited_apart(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # Ten failures (each for another account, so only the per-address limit counts) lock 203.0.113.7 out...
    for n in range(10):
        _failed_login(client, f"nobody{n}@example.com", "203.0.113.7")
    locked = _failed_login(client, "nobody-more@example.com", "203.0.113.7")
    assert "Too many failed login attempts" in locked.content.decode()
    # ...and a forged address the client put in front of the proxy's own entry does not get it out...
    forged = _failed_login(client, "nobody-else@example.com", "198.51.100.1, 203.0.113.7")
    assert "Too many failed login attempts" in forged.content.decode()
    # ...but another client behind the same proxy can still sign in.
    UserFactory(email="other@example.com")
    response = client.post(
        reverse("account_login"),
        {"login": "other@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        _failed_login(client, f"nobody{n}@example.com", f"203.0.113.{n}")
    # Rotating the header does not help: all came from 10.0.0.2.
    locked = _failed_login(client, "nobody-more@example.com", "203.0.113.99")
    assert "Too many failed login attempts" in locked.content.decode()
