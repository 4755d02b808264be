"""Rendered page parts kept in the cache (Redis in production), so the public pages every visitor sees
(home, job and freelancer search, public profiles) are not rebuilt on every request.

A part is cached for anonymous visitors only: signed-in people always get what is true now. Its key is the
part's name, the language and the full path with its query; it carries the generation of every group it
depends on ("jobs", "freelancers"), and a service that changes a group calls `changed(group)`, which gives
the group a new generation, so the next request renders afresh. Generations are random, so a generation
the cache dropped can never match an old part. `changed` takes effect at once and again after the
database commit (a reader between the two may have cached the old state). Every part also expires after
`seconds` (relative times such as "posted 5 minutes ago" are at most that old). Writes here are cache
writes, never database writes: a GET still writes nothing.
"""

import secrets
from collections.abc import Callable
from hashlib import blake2b

from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

PREFIX = "kamai:part:"


def _generation_key(group: str) -> str:
    return f"{PREFIX}gen:{group}"


def cached_part(request, name: str, render: Callable[[], str], *, groups: tuple[str, ...], seconds: int = 60):
    """The HTML `render()` returns, from the cache when an anonymous visitor asked for it before and none of
    `groups` changed since; signed-in users always get `render()`."""
    if request.user.is_authenticated:
        return render()
    path = "\x1f".join([name, translation.get_language() or "", request.get_full_path()])
    key = PREFIX + blake2b(path.encode(), digest_size=16).hexdigest()
    generation_keys = [_generation_key(group) for group in groups]
    found = cache.get_many([key, *generation_keys])
    stamp = tuple(found.get(k, "") for k in generation_keys)
    hit = found.get(key)
    if hit is not None and hit[0] == stamp:
        return mark_safe(hit[1])  # noqa: S308 - HTML this module rendered and stored itself
    html = render()
    cache.set(key, (stamp, str(html)), seconds)
    return html if isinstance(html, SafeString) else mark_safe(html)  # noqa: S308 - rendered by a template


def changed(*groups: str) -> None:
    """Mark every cached part that depends on these groups as stale, now and once the transaction commits."""

    def bump():
        cache.set_many({_generation_key(group): secrets.token_hex(8) for group in groups}, None)

    bump()
    transaction.on_commit(bump)
