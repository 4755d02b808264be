import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _enrol(client, user) -> str:
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    # Turning on 2FA asks for the password again first.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    client.post(reverse("account_logout"))
    return secret


def test_enrol_totp_and_log_in_with_a_code(client):
    user = UserFactory()
    secret = _enrol(client, user)
    # Recovery codes are generated with the first authenticator.
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_totp_code_is_refused(client):
    user = UserFactory()
    _enrol(client, user)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_in_with_a_recovery_code_once(client):
    user = UserFactory()
    _enrol(client, user)
    codes = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
    code = codes.get_unused_codes()[0]

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk

    # A used recovery code does not work a second time.
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_security_page_is_reachable_from_navigation(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert reverse("mfa_index") in page
    assert client.get(reverse("mfa_index")).status_code == 200
