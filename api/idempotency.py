"""Idempotency-Key for API POSTs that create something the service itself keeps no key for (a time entry, a
dispute, evidence): the key is claimed with the request's fingerprint (contracts.action_keys) in the same
transaction as the service call, and the created object is remembered, so a replay answers with it."""

from django.db import transaction

from api.models import KeyedResult
from contracts.action_keys import claim_action_key
from contracts.models import ActionKey


def keyed_create(request, key: str, *, action: str, object_id: int, params: dict, error, create, queryset):
    """Run `create()` once per key and request; a replay returns the object the first call made (from
    `queryset`). The same key with another request raises `error` (a 409 problem)."""
    user = request.user
    with transaction.atomic():
        if claim_action_key(key, user=user, action=action, object_id=object_id, params=params, error=error):
            made = create()
            KeyedResult.objects.create(action_key=ActionKey.objects.get(user=user, key=key), object_id=made.pk)
            return made
    result = KeyedResult.objects.get(action_key__user=user, action_key__key=key)
    return queryset.get(pk=result.object_id)
