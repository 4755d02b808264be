from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import TokenScope


class TokenScopeAllows(BasePermission):
    """A read-only token may only read; a session or a full token may do what the user may."""

    message = _("This API token is read-only; create a full token to make changes.")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or not isinstance(request.auth, Token):
            return True
        return not TokenScope.objects.filter(token_id=request.auth.pk, read_only=True).exists()
