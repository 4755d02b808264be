from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.tests.factories import force_login_with_mfa
from ledger.errors import ImmutableRecord
from ledger.models import Posting, Transaction
from ledger.tests.factories import UserFactory
from ledger.tests.helpers import assert_sound, deposit


@pytest.fixture
def posted(wallet):
    return deposit(wallet, "10.00")


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Posting, Transaction])
def test_the_orm_refuses_to_change_or_delete_posted_rows(posted, model):
    row = model.objects.first()
    if model is Posting:
        row.amount_minor = 1
    else:
        row.memo = "rewritten"
    with pytest.raises(ImmutableRecord, match="cannot be changed"):
        row.save()
    with pytest.raises(ImmutableRecord, match="cannot be deleted"):
        row.delete()
    with pytest.raises(ImmutableRecord, match="post a reversing transaction"):
        model.objects.filter(pk=row.pk).update(memo="x") if model is Transaction else model.objects.all().update(
            amount_minor=5
        )
    with pytest.raises(ImmutableRecord):
        model.objects.all().delete()
    assert_sound()


@pytest.mark.django_db
def test_accounts_with_postings_cannot_be_deleted(posted, wallet):
    with pytest.raises(ProtectedError):
        wallet.delete()


@pytest.mark.django_db
def test_the_admin_is_read_only(client, posted):
    force_login_with_mfa(client, UserFactory(is_staff=True, is_superuser=True))
    posting = Posting.objects.first()
    for name, obj in [("transaction", posted), ("posting", posting), ("account", posting.account)]:
        change = reverse(f"admin:ledger_{name}_change", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert client.post(change, {"memo": "rewritten"}).status_code == 403
        assert client.post(reverse(f"admin:ledger_{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        assert client.get(reverse(f"admin:ledger_{name}_add")).status_code == 403
        listing = client.get(reverse(f"admin:ledger_{name}_changelist"))
        assert listing.status_code == 200 and "delete_selected" not in listing.content.decode()
    posted.refresh_from_db()
    assert posted.memo == ""
    assert Posting.objects.count() == 2


def _pg_only():
    if connection.vendor != "postgresql":
        pytest.skip("Database-level immutability triggers exist only on PostgreSQL (CI runs there).")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_posting SET amount_minor = amount_minor + 1",
        "DELETE FROM ledger_posting",
        "UPDATE ledger_transaction SET memo = 'rewritten'",
        "DELETE FROM ledger_transaction",
    ],
)
def test_postgresql_refuses_update_and_delete_of_posted_rows(wallet, sql):
    _pg_only()
    deposit(wallet, "10.00")
    with pytest.raises(DatabaseError, match="immutable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Posting.objects.count() == 2
    assert sorted(Posting.objects.values_list("amount_minor", flat=True)) == [-1000, 1000]
    assert Transaction.objects.get().memo == ""
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("10.00")
