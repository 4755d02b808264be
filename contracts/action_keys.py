"""The user-action idempotency keys of every money action, pages and API alike (contracts, withdrawals,
invoice payments and credit notes, books entries).

A key is kept with a fingerprint of the request it came with: the sha256 of the action, the object acted on
and the request's parameters in a canonical form ("10", "10.0" and "10.00" are one amount). The same key
with the same request is a replay (do nothing, report the first outcome); the same key with a different
request is refused with a clear message, so a client never believes a request went through when the first
one is what happened. Claims are made inside the action's transaction, so a refused or failed action leaves
its key free to try again. Keys live KEY_RETENTION_DAYS (at least 24 hours, as promised to API callers);
a daily job purges older ones (`action_keys_purge`).
"""

import hashlib
import json
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from contracts.models import ActionKey

MAX_KEY_LENGTH = 255
KEY_RETENTION_DAYS = 30


def _canonical(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def request_fingerprint(*, action: str, object_id: int | None, params: dict) -> str:
    """sha256 of the canonical request: the action, the object and every parameter that changes the outcome."""
    canonical = {"action": action, "object": object_id, "params": {k: _canonical(v) for k, v in params.items()}}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def claim_action_key(
    key: str, *, user, action: str, object_id: int | None, params: dict | None = None, error: type[Exception]
) -> bool:
    """Record a user action's key with its request's fingerprint. True: first time, go ahead. False: a replay
    of the same request (do nothing, report the first outcome). A key already used for another action or request
    raises `error` (the calling app's domain error) with a message fit for the user."""
    key = (key or "").strip()
    if not key:
        raise error(_("This action needs a request key; reload the page and try again."))
    if len(key) > MAX_KEY_LENGTH:
        raise error(_("The request key is too long."))
    fingerprint = request_fingerprint(action=action, object_id=object_id, params=params or {})
    existing = ActionKey.objects.filter(user=user, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                ActionKey.objects.create(
                    key=key, user=user, action=action, object_id=object_id, fingerprint=fingerprint
                )
            return True
        except IntegrityError:
            existing = ActionKey.objects.get(user=user, key=key)
    if (existing.action, existing.object_id) != (action, object_id):
        raise error(_("This request key was already used for another action."))
    if existing.fingerprint and existing.fingerprint != fingerprint:
        raise error(
            _(
                "This request key was already used for a different request (another amount or choice); nothing "
                "was changed. Reload the page to start a new one."
            )
        )
    return False


def action_keys_purge(*, now=None) -> int:
    """Delete keys older than KEY_RETENTION_DAYS. A request replayed after that is a new request; the ledger's
    own deterministic keys (one per business event) still keep any money from moving twice."""
    from datetime import timedelta

    from django.utils import timezone

    cutoff = (now or timezone.now()) - timedelta(days=KEY_RETENTION_DAYS)
    deleted, _by_model = ActionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
