"""Per-user limits on actions that write for others to read (messages, proposals, job posts, invitations)
and on the API, counted in the shared cache so every web process sees the same count (Redis in
production; without it each process counts alone, see the README).

A limit is a comma-separated list of `<count>/<period>` windows, e.g. "20/m,300/h"; every window must have
room. Windows are fixed (they start at multiples of their length), so one counter a window and user is
one atomic `incr`: cheap, and a burst at a window's edge can reach at most twice the count.
"""

import re
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
WINDOW = re.compile(r"\s*(\d+)\s*/\s*(\d*)([smhd])\s*")


@dataclass(frozen=True)
class Refusal:
    scope: str
    retry_after: int  # seconds until the full window that refused has passed


def parse_limit(limit: str) -> list[tuple[int, int]]:
    windows = []
    for part in limit.split(","):
        match = WINDOW.fullmatch(part)
        if not match:
            raise ValueError(f"Bad rate limit {part!r}: expected e.g. 20/m or 300/h")
        count, multiple, unit = match.groups()
        windows.append((int(count), int(multiple or 1) * PERIODS[unit]))
    return windows


def throttle_hit(scope: str, ident: str) -> Refusal | None:
    """Count one attempt at `scope` by `ident`; a Refusal when any window is already full (the attempt
    is counted all the same, so hammering does not open the gate sooner)."""
    limit = settings.KAMAI_THROTTLES.get(scope)
    if not limit:
        return None
    now = time.time()
    retry_after = 0
    for count, seconds in parse_limit(limit):
        window = int(now // seconds)
        key = f"throttle:{scope}:{ident}:{seconds}:{window}"
        cache.add(key, 0, timeout=seconds + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=seconds + 1)
            used = 1
        if used > count:
            retry_after = max(retry_after, int((window + 1) * seconds - now) + 1)
    return Refusal(scope, retry_after) if retry_after else None


def too_many_requests(request, refusal: Refusal):
    minutes = max(1, round(refusal.retry_after / 60))
    response = render(request, "web/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


def throttle(scope: str):
    """Limit a view's POSTs per signed-in user: over the limit, a 429 page and nothing saved."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and request.user.is_authenticated:
                refusal = throttle_hit(scope, str(request.user.pk))
                if refusal:
                    return too_many_requests(request, refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
