"""Writes for the API's own objects: the user's token and its scope."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from api.models import TokenScope


@transaction.atomic
def api_token_replace(*, user, read_only: bool) -> Token:
    """Revoke the user's token, if any, and make a new one (read-only when asked)."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    TokenScope.objects.create(token=token, read_only=read_only)
    return token


@transaction.atomic
def api_token_revoke(*, user) -> None:
    Token.objects.filter(user=user).delete()
