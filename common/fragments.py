"""Rendered page parts kept in the cache (Redis in production), so a page is not rebuilt on every request
while nothing it shows has changed.

Public parts (home, job and freelancer search) are cached for anonymous visitors only; signed-in people get
them fresh. Personal parts (`per_user=True`: wallet, statements, books, tax) are cached per user and per
CSRF cookie (so a form token in the part is always the reader's own). A part's key is its name, the language
and the full path with its query; it carries the generation of every group it depends on ("jobs",
"freelancers"; a personal part also "user:<id>" and "people"), and whatever changes a group calls
`changed(group)`, which gives the group a new generation, so the next request renders afresh: services for
the public groups; for a user's group every write request they make (web.freshness.FreshPartsMiddleware),
every ledger posting to an account they own (web.freshness, registered in web.apps) and every change to
their book entries (books.month_totals); a staff member's write request renews "people", every personal
part. Generations are random, so a generation the cache dropped can never match an old part. `changed`
takes effect at once and again after the database commit (a reader between the two may have cached the old
state). Every part also expires after `seconds` (relative times such as "posted 5 minutes ago", a change
no service announced, are at most that old). Writes here are cache writes, never database writes: a GET
still writes nothing.
"""

import secrets
from collections.abc import Callable
from hashlib import blake2b

from django.core.cache import cache
from django.db import transaction
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

PREFIX = "kamai:part:"


def _generation_key(group: str) -> str:
    return f"{PREFIX}gen:{group}"


def user_group(user_id: int) -> str:
    return f"user:{user_id}"


def _cached(parts: list[str], groups: tuple[str, ...], compute: Callable, seconds: int):
    """compute(), from the cache when stored under these key parts with the groups' current generations."""
    key = PREFIX + blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    generation_keys = [_generation_key(group) for group in groups]
    found = cache.get_many([key, *generation_keys])
    stamp = tuple(found.get(k, "") for k in generation_keys)
    hit = found.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1], True
    value = compute()
    cache.set(key, (stamp, value), seconds)
    return value, False


def cached_part(
    request,
    name: str,
    render: Callable[[], str],
    *,
    groups: tuple[str, ...] = (),
    per_user: bool = False,
    seconds: int = 60,
):
    """The HTML `render()` returns, from the cache when the same reader asked for it before and none of its
    groups changed since: anonymous visitors share public parts; personal parts are each user's own."""
    reader = ""
    if request.user.is_authenticated:
        if not per_user:
            return render()
        csrf = request.META.get("CSRF_COOKIE")
        if not csrf:  # a token rendered now will come with a new cookie: nothing to share yet
            return render()
        groups = (*groups, user_group(request.user.pk), "people")
        reader = f"{request.user.pk}:{csrf}"
    elif per_user:
        return render()
    parts = [name, reader, translation.get_language() or "", request.get_full_path()]
    html, _hit = _cached(parts, groups, lambda: str(render()), seconds)
    return mark_safe(html)  # noqa: S308 - HTML a template rendered, stored by this module


def cached_for_user(user, name: str, compute: Callable, *, seconds: int = 60):
    """A value about `user` (the nav's unread count), kept until their group or "people" changes."""
    value, _hit = _cached([name, str(user.pk)], (user_group(user.pk), "people"), compute, seconds)
    return value


def render_with_part(request, template: str, part: str, context: Callable[[], dict], *, page: dict | None = None,
                     **options):  # fmt: skip
    """Render `template` (a page whose content block is `{{ content }}`) around the part `part` rendered from
    `context()`, which runs only when the cache has no current copy; `page` is what the page's other blocks
    (its title) need. `options` as for cached_part (name defaults to the part's template)."""
    options.setdefault("name", part)
    content = cached_part(request, render=lambda: render_to_string(part, context(), request), **options)
    return render(request, template, {**(page or {}), "content": content})


def changed_users(user_ids) -> None:
    """Every personal part of these users is stale."""
    groups = sorted({user_group(pk) for pk in user_ids if pk})
    if groups:
        changed(*groups)


def changed(*groups: str) -> None:
    """Mark every cached part that depends on these groups as stale, now and once the transaction commits."""

    def bump():
        cache.set_many({_generation_key(group): secrets.token_hex(8) for group in groups}, None)

    bump()
    transaction.on_commit(bump)
