"""Two factors for staff. A staff account can move other people's money (mediation, pay-ins, withdrawals),
so a password alone is never enough: every page refuses a staff session that has not passed a second factor
(allauth.mfa writes an "mfa" record into the session's authentication records when a TOTP or recovery code
is accepted, at login or on re-authentication), and a staff account without an authenticator is sent to
enrol first. allauth has no setting for this; the middleware below is the whole rule."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

# What a staff session may open before passing two factors: enrolling, proving the second factor, leaving.
OPEN_BEFORE_MFA = {
    "account_login",
    "account_logout",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "set_language",
    "healthz",
}


def session_passed_mfa(request) -> bool:
    """True when this session's user proved a second factor (TOTP or a recovery code) in this session."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffTwoFactorMiddleware:
    """Staff sessions without a passed second factor reach only the pages that let them enrol or pass one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff or session_passed_mfa(request):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in OPEN_BEFORE_MFA:
            return self.get_response(request)
        enrolled = has_authenticator(user)
        message = (
            _("Staff accounts sign in with two factors: enter the code from your authenticator app.")
            if enrolled
            else _("Staff accounts need two-factor authentication: set up an authenticator app to continue.")
        )
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "staff_mfa_required"}, status=403)
        messages.warning(request, message)
        if not enrolled:
            return redirect("mfa_index")
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
