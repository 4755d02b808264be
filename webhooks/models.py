import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.states import move
from webhooks.errors import WebhookError

MAX_ENDPOINTS_PER_USER = 5


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """An HTTPS address of the user's that receives signed events they chose."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=80, default=new_secret)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


# The one table of delivery moves: sent (or given up), and a failed one re-sent by its owner.
DELIVERY_TRANSITIONS: dict[str, set[str]] = {
    DeliveryState.PENDING: {DeliveryState.SUCCEEDED, DeliveryState.FAILED},
    DeliveryState.SUCCEEDED: set(),
    DeliveryState.FAILED: {DeliveryState.PENDING},
}


def move_delivery(delivery, to_state: str) -> None:
    move(
        delivery,
        to_state,
        DELIVERY_TRANSITIONS,
        lambda current, to: WebhookError(
            _("A %(state)s delivery cannot become %(to)s.")
            % {"state": DeliveryState(current).label.lower(), "to": DeliveryState(to).label.lower()}
        ),
    )


class Delivery(models.Model):
    """One event for one endpoint, and how its sending went (the last attempt's answer)."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.state})"
