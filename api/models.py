from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token


class TokenScope(models.Model):
    """What an API token may do. A read-only token reads (GET, HEAD, OPTIONS) and is refused every write."""

    token = models.OneToOneField(Token, primary_key=True, on_delete=models.CASCADE, related_name="scope")
    read_only = models.BooleanField(_("read-only"), default=False)

    def __str__(self) -> str:
        return f"{self.token_id} ({'read-only' if self.read_only else 'full'})"


class KeyedResult(models.Model):
    """What an API POST that creates something made under its Idempotency-Key: a replay of the same request
    answers with this object instead of creating a second one. Purged with its key."""

    action_key = models.OneToOneField(
        "contracts.ActionKey", primary_key=True, on_delete=models.CASCADE, related_name="api_result"
    )
    object_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.action_key_id} -> {self.object_id}"
