"""At 360 x 740, the narrowest phone we support, no page scrolls sideways: every main page a demo freelancer
and client can reach, in English and in Urdu (rtl), in headless Chromium with JavaScript off. One page of each
kind (ids folded), so the check stays quick."""

import os
import re

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.tests.factories import force_login_with_mfa
from web.tests.test_crawl import crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}
DOWNLOAD = re.compile(r"pdf|csv|xlsx|export|download|/file/")


def one_page_of_each_kind(urls) -> list[str]:
    kinds: dict[str, str] = {}
    for url in urls:
        kinds.setdefault(re.sub(r"\d+", "N", url.split("?")[0]), url)
    return sorted(kinds.values())


@pytest.mark.parametrize("email", ["ayesha@demo.kamai.pk", "emily@demo-client.example", "oliver@demo-client.example"])
def test_no_page_is_wider_than_a_phone(browser, live_server, email):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = User.objects.get(email=email)
    django_client = Client()
    force_login_with_mfa(django_client, user)
    seen = crawl(django_client, ["/", "/dashboard/"], limit=150)
    pages = [url for url, status in seen.items() if status == 200]
    pages = [url for url in one_page_of_each_kind(pages) if not DOWNLOAD.search(url)]
    session = django_client.cookies["sessionid"].value
    too_wide = {}
    for language in ["en", "ur"]:
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies(
            [
                {"name": "sessionid", "value": session, "domain": host, "path": "/"},
                {"name": "django_language", "value": language, "domain": host, "path": "/"},
            ]
        )
        page = context.new_page()
        for url in pages:
            response = page.goto(f"{live_server.url}{url}")
            if not response or "text/html" not in response.headers.get("content-type", ""):
                continue
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[f"{language} {url}"] = width
        context.close()
    assert len(pages) > 10
    assert too_wide == {}, too_wide
