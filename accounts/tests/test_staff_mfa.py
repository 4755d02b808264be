"""Staff sign in with two factors, and the admin's login is allauth's (issue 11, item 1)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory, force_login_with_mfa
from accounts.tests.test_mfa import totp_now

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/admin/", "/staff/queue/", "/staff/withdrawals/", "/ledger/trial-balance/", "/dashboard/"]


def _staff_with_totp():
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    return staff, secret


def test_admin_login_is_allauths_login_and_is_rate_limited(client):
    staff, _secret = _staff_with_totp()
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    # The admin's own form never checks a password: it sends everyone to allauth's login.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    statuses = [
        client.post(response["Location"], {"login": staff.email, "password": f"wrong-{n}"}).status_code
        for n in range(40)
    ]
    assert 429 in statuses
    # Locked: even the right password is refused now.
    locked = client.post(response["Location"], {"login": staff.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_staff_with_totp_signed_in_by_password_alone_reach_no_staff_page(client):
    staff, secret = _staff_with_totp()
    client.force_login(staff)  # a password-only session (as the old /admin/login/ gave)
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("mfa_reauthenticate")), path
    assert client.post("/staff/withdrawals/1/settle/", {}).status_code == 302
    assert client.get("/api/wallet/").status_code == 403
    # Passing the second factor opens them.
    response = client.post(f"{reverse('mfa_reauthenticate')}?next=/staff/queue/", {"code": totp_now(secret)})
    assert response["Location"] == "/staff/queue/"
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path


def test_staff_sign_in_with_password_and_totp_reach_staff_pages(client):
    staff, secret = _staff_with_totp()
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path


def test_staff_without_an_authenticator_are_sent_to_enrol(client):
    staff = UserFactory(is_staff=True)
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert int(client.session["_auth_user_id"]) == staff.pk
    for path in ["/staff/queue/", "/admin/", "/dashboard/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_index")
    assert client.get(reverse("mfa_index")).status_code == 200
    # Enrolling (after confirming the password) is allowed, and then the code opens the staff pages.
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:
        client.post(response["Location"], {"password": PASSWORD})
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    secret = client.session[SECRET_SESSION_KEY]
    client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    response = client.get("/staff/queue/")
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_people_who_are_not_staff_are_not_asked_for_a_second_factor(client):
    client.force_login(UserFactory())
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/staff/queue/").status_code == 403


def test_the_test_helper_passes_the_second_factor(client):
    staff = UserFactory(is_staff=True)
    force_login_with_mfa(client, staff)
    assert client.get("/staff/queue/").status_code == 200
