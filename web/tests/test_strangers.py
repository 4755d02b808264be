"""Every private page a demo user can reach, opened by another signed-in user, must be refused (404/403) or
sent elsewhere (302): one test over all apps, on the demo world, on top of each app's own ownership tests."""

import os
import re

import pytest
from django.core.management import call_command

from accounts.models import User
from web.tests.test_crawl import crawl

pytestmark = pytest.mark.django_db

# Object pages (an id or a token in the path) under these prefixes belong to someone.
PRIVATE = re.compile(
    r"^/(invoices|books|tax|contracts|milestones|weeks|payins|disputes|deliveries|evidence|withdrawals|"
    r"proposals|offers|messages|wallet|me)/.*(\d|[A-Za-z0-9_-]{20,})"
)
# Not someone's object: the invoice's client link is public on purpose, and a fiscal year's statement page
# always shows the signed-in user's own statement.
PUBLIC = re.compile(r"^/(invoices/view/|tax/statement/\d{4}-\d{2}/)")


@pytest.mark.parametrize(
    "owner,stranger",
    [
        ("ayesha@demo.kamai.pk", "hamza@demo.kamai.pk"),
        ("bilal@demo.kamai.pk", "usman@demo.kamai.pk"),
        ("emily@demo-client.example", "lena@demo-client.example"),
    ],
)
def test_a_stranger_cannot_open_anyone_elses_pages(client, owner, stranger):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client.force_login(User.objects.get(email=owner))
    seen = crawl(client, ["/dashboard/"])
    private = sorted(
        url for url, status in seen.items() if status == 200 and PRIVATE.match(url) and not PUBLIC.match(url)
    )
    assert len(private) > 5, private
    client.force_login(User.objects.get(email=stranger))
    leaked = {}
    for url in private:
        status = client.get(url).status_code
        if status == 200:
            leaked[url] = status
    assert leaked == {}, leaked
    client.logout()
    anonymous = {url: client.get(url).status_code for url in private}
    assert {url: status for url, status in anonymous.items() if status not in (302, 403, 404)} == {}
