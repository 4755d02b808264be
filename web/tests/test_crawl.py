"""Follow every link a demo user can see, as far as it goes: no page may fail (5xx) and no link on a page may
lead nowhere (404). A guard against broken navigation and crashes on real data. Every HTML page it sees must
also carry the Content-Security-Policy and Permissions-Policy, and nothing on it that the policy would block."""

import os
import re
from urllib.parse import urldefrag, urlparse

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.tests.factories import force_login_with_mfa

pytestmark = pytest.mark.django_db
LINK = re.compile(r'href="([^"]+)"')
INLINE_STYLE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# The API's schema and its Redoc drawing (/api/docs/, which styles itself inline) are for programs and their
# authors, not pages a user reaches; they keep their own policy.
SKIP = ("/accounts/logout", "/static/", "/media/", "/admin/", "/i18n/", "/api/schema/", "/api/docs/")


def assert_security_headers(url: str, response) -> None:
    """The headers are there, and the page holds nothing the policy would block: no inline style attribute,
    no inline script without this response's nonce."""
    policy = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "object-src 'none'" in policy, url
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy, url
    assert "camera=()" in response.get("Permissions-Policy", ""), url
    html = response.content.decode()
    assert not INLINE_STYLE.search(html), f"inline style on {url}"
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    for attributes in SCRIPT_TAG.findall(html):
        if "src=" in attributes or "application/json" in attributes:
            continue
        assert f'nonce="{nonce}"' in attributes, f"inline script without the nonce on {url}"


def crawl(client, start: list[str], limit: int = 400) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html"):
            assert_security_headers(url, response)
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        for href in LINK.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or not href.startswith("/") or href.startswith(SKIP):
                continue
            if href not in seen:
                queue.append(href)
    return seen


@pytest.mark.parametrize(
    "email,language",
    [
        ("ayesha@demo.kamai.pk", "en"),
        ("bilal@demo.kamai.pk", "en"),
        ("emily@demo-client.example", "en"),
        ("mediator@demo.kamai.pk", "en"),
        ("ayesha@demo.kamai.pk", "ur"),
        ("emily@demo-client.example", "ur"),
    ],
)
def test_every_link_a_demo_user_sees_works(client, email, language):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client.cookies["django_language"] = language
    user = User.objects.get(email=email)
    force_login_with_mfa(client, user)
    seen = crawl(client, ["/", "/dashboard/"])
    # Switch hats and crawl again: both dashboards and their menus.
    other = "client" if user.active_hat == "freelancer" else "freelancer"
    client.post("/me/hat/", {"hat": other})
    seen.update(crawl(client, ["/dashboard/"]))
    broken = {url: status for url, status in seen.items() if status >= 400 and status != 403}
    assert len(seen) > 30
    assert broken == {}, broken


def test_every_public_link_works_for_a_visitor(client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    seen = crawl(client, ["/", "/jobs/", "/freelancers/"])
    broken = {url: status for url, status in seen.items() if status >= 400}
    assert broken == {}, broken
