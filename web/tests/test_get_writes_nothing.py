"""No GET request writes: every page each demo user can reach is requested, and every table must hold exactly
the rows it held before (the books used to sync from the ledger on page view; nothing may do so again)."""

import hashlib
import os

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from web.tests.test_crawl import crawl

pytestmark = pytest.mark.django_db

USERS = ["ayesha@demo.kamai.pk", "bilal@demo.kamai.pk", "emily@demo-client.example", "mediator@demo.kamai.pk"]


def snapshot() -> dict[str, str]:
    """A digest of every row of every table, by table."""
    digests = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.order_by("pk").values_list()
        digests[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def test_no_page_any_demo_user_reaches_writes_to_the_database(client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    changed: dict[str, list[str]] = {}
    for email in USERS:
        user = User.objects.get(email=email)
        client.force_login(user)
        before = snapshot()
        seen = crawl(client, ["/", "/dashboard/", "/books/", "/tax/", "/wallet/", "/invoices/"])
        after = snapshot()
        assert len(seen) > 10
        tables = sorted(table for table in before if before[table] != after[table])
        if tables:
            changed[email] = tables
    assert changed == {}, changed
