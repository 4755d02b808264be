from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token


class TokenScope(models.Model):
    """What an API token may do. A read-only token reads (GET, HEAD, OPTIONS) and is refused every write."""

    token = models.OneToOneField(Token, primary_key=True, on_delete=models.CASCADE, related_name="scope")
    read_only = models.BooleanField(_("read-only"), default=False)

    def __str__(self) -> str:
        return f"{self.token_id} ({'read-only' if self.read_only else 'full'})"
