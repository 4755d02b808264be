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
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


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
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
