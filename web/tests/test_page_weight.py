"""Every page of the foundation weighs under 60 KB with its CSS and JS (STYLE.md's budget for weak connections).

We count the uncompressed HTML plus every stylesheet, script and image it references from our static files,
which is stricter than the compressed bytes that actually cross the wire."""

import os
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.models import PortfolioItem
from accounts.tests.factories import ClientProfileFactory, FreelancerProfileFactory, force_login_with_mfa

pytestmark = pytest.mark.django_db
BUDGET = 60 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/static/[^"]+)"')


def page_weight(client, url) -> tuple[int, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content
    assets = ASSET.findall(html.decode())
    total = len(html)
    for asset in set(assets):
        path = finders.find(asset.removeprefix("/static/"))
        assert path, f"{asset} referenced by {url} does not exist"
        with open(path, "rb") as handle:
            total += len(handle.read())
    return total, assets


@pytest.fixture
def freelancer():
    profile = FreelancerProfileFactory(slug="weighed", bio="Long bio. " * 200)
    for n in range(6):
        PortfolioItem.objects.create(profile=profile, title=f"Item {n}", description="Details. " * 50)
    return profile


def _urls(freelancer_slug):
    return [
        reverse("web:home"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("marketplace:freelancer_public", args=[freelancer_slug]),
    ]


def test_public_pages_fit_the_budget(client, freelancer):
    for url in _urls(freelancer.slug):
        total, assets = page_weight(client, url)
        assert "/static/web/site.css" in assets
        assert total < BUDGET, f"{url} weighs {total} bytes"


def test_signed_in_pages_fit_the_budget(client, freelancer):
    client.force_login(freelancer.user)
    for url in [
        reverse("web:dashboard"),
        reverse("accounts:freelancer_profile_edit"),
        reverse("accounts:portfolio_item_new"),
        reverse("mfa_index"),
    ]:
        total, _ = page_weight(client, url)
        assert total < BUDGET, f"{url} weighs {total} bytes"
    client_profile = ClientProfileFactory()
    client.force_login(client_profile.user)
    for url in [reverse("web:dashboard"), reverse("accounts:client_profile_edit")]:
        total, _ = page_weight(client, url)
        assert total < BUDGET, f"{url} weighs {total} bytes"


def test_urdu_pages_fit_the_budget(client, freelancer):
    client.cookies["django_language"] = "ur"
    for url in _urls(freelancer.slug):
        total, _ = page_weight(client, url)
        assert total < BUDGET, f"{url} (ur) weighs {total} bytes"


def test_every_main_page_with_demo_data_fits_the_budget(client):
    """With the demo world loaded, the main page of every feature stays under 60 KB with its CSS and JS."""
    from django.core.management import call_command

    from accounts.models import User
    from contracts.models import Contract
    from marketplace.models import Job

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    pages = {
        "ayesha@demo.kamai.pk": ["/dashboard/", "/jobs/", "/proposals/", "/contracts/", "/wallet/", "/withdrawals/",
                                 "/invoices/", "/invoices/overview/", "/books/", "/tax/", "/messages/"],
        "emily@demo-client.example": ["/dashboard/", "/freelancers/", "/jobs/mine/", "/contracts/", "/messages/"],
        "mediator@demo.kamai.pk": ["/staff/queue/", "/staff/withdrawals/"],
    }  # fmt: skip
    contract = Contract.objects.get(title="Company website in Next.js")
    pages["emily@demo-client.example"] += [f"/contracts/{contract.pk}/", f"/jobs/{Job.objects.first().pk}/"]
    for email, urls in pages.items():
        force_login_with_mfa(client, User.objects.get(email=email))
        for url in urls:
            for language in ("en", "ur"):
                client.cookies["django_language"] = language
                total, _ = page_weight(client, url)
                assert total < BUDGET, f"{url} ({language}) for {email} weighs {total} bytes"
