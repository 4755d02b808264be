from django.utils.functional import SimpleLazyObject

from messaging.selectors import unread_total


def unread(request):
    """`unread_messages` for the nav badge: one COUNT query, run only if a template uses it; none for anonymous."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_messages": SimpleLazyObject(lambda: unread_total(user))}
