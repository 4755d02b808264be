"""Rendered pages kept in the cache (Redis in production), so a page is not rebuilt on every request while
nothing it shows has changed.

Public pages (home, job and freelancer search, public profiles) are kept for anonymous visitors only, one
copy shared by all of them; signed-in people get them fresh. Personal pages (`per_user=True`: wallet,
statements, books, tax, the contract room) are kept per user. The whole document is kept, nav included;
its forms carry a placeholder for the CSRF token, replaced by the reader's own token each time the page is
served, so no reader ever gets another's token. A page with a flash message to show is never kept. A page's
key is its name, the reader, the language and the full path with its query; it carries the generation of
every group it depends on ("jobs", "freelancers"; a personal page also "user:<id>" and "people"), and
whatever changes a group calls `changed(group)`, which gives the group a new generation, so the next
request renders afresh: services for the public groups; for a user's group every write request they make
(web.freshness.FreshPartsMiddleware), every ledger posting to an account they own (web.freshness,
registered in web.apps), every change to their book entries (books.month_totals) and every message they
get (the nav's unread count); a staff member's write request renews "people", every personal page.
Generations are random, so a generation the cache dropped can never match an old page. `changed` takes
effect at once and again after the database commit (a reader between the two may have cached the old
state). Every page also expires after `seconds` (relative times such as "posted 5 minutes ago", a change
no service announced, are at most that old). Writes here are cache writes, never database writes: a GET
still writes nothing.
"""

import secrets
from collections.abc import Callable
from hashlib import blake2b

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

PREFIX = "kamai:part:"
# Stands where a kept page's forms carry the CSRF token. Marked safe, so templates write it as it is, while the
# same text in anything a user wrote is escaped (its "<" becomes "&lt;") and can never be taken for it.
CSRF_PLACEHOLDER = mark_safe("<kamai-csrf-token/>")


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


class Answer(Exception):  # noqa: N818 - not an error: a page's answer other than itself
    """Raised by a page's render to answer with `response` instead (a redirect); that answer is never kept."""

    def __init__(self, response: HttpResponse):
        super().__init__(response)
        self.response = response


def _reader(request, groups: tuple[str, ...], per_user: bool):
    """(reader, groups) when this request may be served a kept page, else None: anonymous visitors share
    public pages, a signed-in user has their own personal pages, and a page with a message to show (the
    flash after a form) is never kept."""
    if request.user.is_authenticated:
        if not per_user:
            return None
        reader, groups = str(request.user.pk), (*groups, user_group(request.user.pk), "people")
    elif per_user:
        return None
    else:
        reader = ""
    if len(messages.get_messages(request)):
        return None
    return reader, groups


def csrf_placeholder(request) -> dict:
    """Context processor: while a page is rendered to be kept, its forms carry a placeholder where the
    reader's CSRF token goes; `cached_page` puts this request's token in when it serves the page, so one
    kept copy serves every cookie (and never hands out another reader's token)."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "_kamai_keeping_page", False) else {}


def cached_page(
    request,
    name: str,
    render: Callable[[], str],
    *,
    groups: tuple[str, ...] = (),
    per_user: bool = False,
    seconds: int = 60,
) -> HttpResponse:
    """The page `render()` returns (the whole HTML document), from the cache when the same reader asked for
    it before and none of its groups changed since: anonymous visitors share public pages; personal pages
    (`per_user`) are each user's own. Anyone else gets it rendered afresh."""

    def keep() -> str:
        request._kamai_keeping_page = True
        try:
            return str(render())
        finally:
            request._kamai_keeping_page = False

    found = _reader(request, groups, per_user)
    try:
        if found is None:
            return HttpResponse(render())
        reader, groups = found
        parts = [name, reader, translation.get_language() or "", request.get_full_path()]
        html, _hit = _cached(parts, groups, keep, seconds)
    except Answer as answer:
        return answer.response
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return HttpResponse(html)


def cached_for_user(user, name: str, compute: Callable, *, seconds: int = 60):
    """A value about `user` (the nav's unread count), kept until their group or "people" changes."""
    value, _hit = _cached([name, str(user.pk)], (user_group(user.pk), "people"), compute, seconds)
    return value


def render_with_part(request, template: str, part: str, context: Callable[[], dict], *, page: dict | None = None,
                     **options):  # fmt: skip
    """Render `template` (a page whose content block is `{{ content }}`) around the part `part` rendered from
    `context()`; the whole page is kept as `cached_page` says, and `context()` runs only when the cache has
    no current copy. `page` is what the page's other blocks (its title) need; without it they see the part's
    context. `options` as for cached_page (name defaults to the part's template)."""
    options.setdefault("name", part)

    def whole() -> str:
        values = context()
        content = mark_safe(render_to_string(part, values, request))  # noqa: S308 - a template's output
        return render_to_string(template, {**(values if page is None else page), "content": content}, request)

    return cached_page(request, render=whole, **options)


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
