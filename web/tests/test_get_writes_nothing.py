"""No GET request writes: every page each demo user can reach is requested, and every table must hold exactly
the rows it held before (the books used to sync from the ledger on page view; nothing may do so again).

The one exception is a read receipt, recorded because a person saw something and nothing else: a
conversation's read marker and the moment a client first opened a proposal (DECISIONS 26). Only those columns
are left out of the comparison."""

import hashlib
import os

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from accounts.tests.factories import force_login_with_mfa
from web.tests.test_crawl import crawl

pytestmark = pytest.mark.django_db

USERS = ["ayesha@demo.kamai.pk", "bilal@demo.kamai.pk", "emily@demo-client.example", "mediator@demo.kamai.pk"]


READ_RECEIPTS = {
    "messaging_conversation": {"client_last_read_id", "freelancer_last_read_id"},
    "marketplace_proposal": {"viewed_at"},
}


def snapshot() -> dict[str, str]:
    """A digest of every row of every table, by table (read receipts aside)."""
    digests = {}
    for model in apps.get_models(include_auto_created=True):
        skip = READ_RECEIPTS.get(model._meta.db_table, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.column not in skip]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        digests[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def test_no_page_any_demo_user_reaches_writes_to_the_database(client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    changed: dict[str, list[str]] = {}
    for email in USERS:
        user = User.objects.get(email=email)
        force_login_with_mfa(client, user)
        before = snapshot()
        seen = crawl(client, ["/", "/dashboard/", "/books/", "/tax/", "/wallet/", "/invoices/"])
        after = snapshot()
        assert len(seen) > 10
        tables = sorted(table for table in before if before[table] != after[table])
        if tables:
            changed[email] = tables
    assert changed == {}, changed
