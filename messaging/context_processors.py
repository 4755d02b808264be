from django.utils.functional import SimpleLazyObject

from common import fragments
from messaging.selectors import unread_total


def unread(request):
    """`unread_messages` for the nav badge: one COUNT query when a template uses it and the cached count is stale
    (messaging.services renews it when a message arrives or is read); none for anonymous."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_messages": SimpleLazyObject(
            lambda: fragments.cached_for_user(user, "unread", lambda: unread_total(user))
        )
    }
