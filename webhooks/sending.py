"""Sending one delivery attempt: sign the body as Stripe does, POST it, record the answer, and say when to try
again. The row is claimed under a lock before anything is sent, so two workers never send the same attempt."""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webhooks.models import Delivery, DeliveryState, move_delivery

DEFAULT_BACKOFF_SECONDS = [30, 120, 600, 3600, 6 * 3600]
TIMEOUT_SECONDS = 10
# A claimed attempt whose worker died is picked up again by `deliver_due` after this long.
CLAIM_SECONDS = 120
RESPONSE_CHARS = 1000
SIGNATURE_HEADER = "Kamai-Signature"


def backoff_seconds() -> list[int]:
    return list(getattr(settings, "KAMAI_WEBHOOK_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS))


def max_attempts() -> int:
    return len(backoff_seconds()) + 1


def http_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "KAMAI_WEBHOOKS_ALLOW_HTTP", False))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _resolves_outside(host: str) -> bool:
    """True when the host name points into a private, loopback or link-local network (checked at send time too,
    since a public name can be changed to point inside after the endpoint was saved)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # requests reports the failure itself
    return any(not ipaddress.ip_address(info[4][0].split("%")[0]).is_global for info in infos)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, bool]:
    host = urlsplit(url).hostname or ""
    if not http_allowed() and _resolves_outside(host):
        return None, "refused: the address points into a private network", False
    try:
        with requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True
        ) as response:
            head = next(response.iter_content(RESPONSE_CHARS * 4), b"")
            text = head.decode(response.encoding or "utf-8", errors="replace")[:RESPONSE_CHARS]
            return response.status_code, text, 200 <= response.status_code < 300
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:RESPONSE_CHARS], False


def attempt(delivery_id: int) -> int | None:
    """Make the next attempt if one is due. Returns the seconds to wait before the next one, or None when
    there is nothing more to do (sent, given up, not due, or another worker has it)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_id).first()
        if delivery is None or delivery.state != DeliveryState.PENDING:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    claimed = delivery.attempts
    endpoint = delivery.endpoint
    if endpoint.active:
        body = body_of(delivery.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Kamai-Webhooks/1",
            "Kamai-Event-Id": str(delivery.event_id),
            SIGNATURE_HEADER: signature_header(endpoint.secret, int(time.time()), body),
        }
        status, text, ok = _post(endpoint.url, body, headers)
    else:
        status, text, ok = None, "endpoint switched off", False
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.attempts != claimed or delivery.state != DeliveryState.PENDING:
            return None  # re-sent by its owner meanwhile: that attempt carries on
        delivery.last_status_code, delivery.last_response = status, text
        delay = None
        if ok:
            move_delivery(delivery, DeliveryState.SUCCEEDED)
            delivery.next_attempt_at = None
        elif delivery.attempts >= max_attempts() or not endpoint.active:
            move_delivery(delivery, DeliveryState.FAILED)
            delivery.next_attempt_at = None
        else:
            delay = backoff_seconds()[delivery.attempts - 1]
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        delivery.save(update_fields=["last_status_code", "last_response", "state", "next_attempt_at"])
    return delay
