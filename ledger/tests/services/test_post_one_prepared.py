"""The single posting on PostgreSQL as a server-side prepared statement (DECISIONS 34): it posts exactly what
the unprepared statement and the general Python path post, it is not prepared behind PgBouncer in transaction
mode (DB_PGBOUNCER), and replays and conflicting replays behave alike either way."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import override_settings

from ledger import services, sql
from ledger.errors import IdempotencyConflict, InsufficientFunds, UnknownAccount
from ledger.models import Account, Transaction
from ledger.services.applying import _apply, _lock_accounts
from ledger.services.preparing import _prepare
from ledger.tests.helpers import assert_sound, deposit, key


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Prepared statements are PostgreSQL's; SQLite keeps the Python path, tested elsewhere.")


def _wallets(n: int = 3) -> list[Account]:
    return [
        services.account_get_or_create(
            code=f"platform:test:{key('w')}:USD", book="platform", kind="liability", currency="USD", no_negative=True
        )
        for _ in range(n)
    ]


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%ledger_post_one%"])
        return [row[0] for row in cursor.fetchall()]


def _python_path(postings, idempotency_key: str) -> Transaction:
    """What SQLite and batches run: lock in id order, re-check, write in Python-built statements."""
    prep = _prepare(postings, idempotency_key=idempotency_key, kind="test", memo="same", reference="ref:1")
    with transaction.atomic():
        return _apply([prep], _lock_accounts(account.pk for account, _ in prep.legs))[0]


def _posted(txn: Transaction, wallets: list[Account]) -> tuple:
    """What a transaction wrote, with accounts named by their place in `wallets` (each run has its own)."""
    place = {w.pk: n for n, w in enumerate(wallets)}
    legs = sorted((place[p.account_id], p.amount_minor, p.currency) for p in txn.postings.all())
    return txn.kind, txn.memo, txn.reference, txn.book, txn.fingerprint != "", legs


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bouncer", [False, True], ids=["prepared", "pgbouncer"])
def test_prepared_unprepared_and_python_paths_post_the_same(bouncer):
    runs = {}
    for path in ("post_one", "python"):
        wallets = a, b, c = _wallets()
        deposit(a, "100.00")
        transfers = [
            [(a, Decimal("40.00")), (b, Decimal("-30.00")), (c, Decimal("-10.00"))],
            [(b, Decimal("12.34")), (c, Decimal("-12.34"))],
            [(c, Decimal("22.34")), (a, Decimal("-22.34"))],
        ]
        posted = []
        with override_settings(DB_PGBOUNCER=bouncer):
            for n, legs in enumerate(transfers):
                if path == "post_one":
                    txn = services.post_transaction(legs, idempotency_key=f"{path}:{bouncer}:{n}", kind="test",
                                                    memo="same", reference="ref:1")  # fmt: skip
                else:
                    txn = _python_path(legs, f"{path}:{bouncer}:{n}")
                posted.append(_posted(txn, wallets))
        balances = [Account.objects.get(pk=w.pk).balance_minor for w in wallets]
        runs[path] = (posted, balances)
    assert runs["post_one"] == runs["python"]
    # Signed minor units, debit positive: a was credited 100.00, then debited 40.00 and credited 22.34.
    assert runs["post_one"][1] == [-10000 + 4000 - 2234, -3000 + 1234, -1000 - 1234 + 2234]
    assert_sound()


@pytest.mark.django_db(transaction=True)
def test_the_single_posting_is_prepared_once_per_connection():
    connection.close()
    a, b, _c = _wallets()
    deposit(a, "10.00")
    for _n in range(3):
        services.post_transaction([(a, Decimal("1.00")), (b, Decimal("-1.00"))], idempotency_key=key(), kind="test")
    assert len(_prepared_here()) == 1
    # A new connection prepares it afresh (the server forgets prepared statements with the session).
    connection.close()
    services.post_transaction([(a, Decimal("1.00")), (b, Decimal("-1.00"))], idempotency_key=key(), kind="test")
    assert len(_prepared_here()) == 1
    assert Account.objects.get(pk=a.pk).available == Decimal("6.00")
    assert_sound()


@pytest.mark.django_db(transaction=True)
@override_settings(DB_PGBOUNCER=True)
def test_behind_pgbouncer_nothing_is_prepared_and_replays_still_behave():
    connection.close()
    assert not sql.prepares()
    a, b, _c = _wallets()
    deposit(a, "10.00")
    legs = [(a, Decimal("4.00")), (b, Decimal("-4.00"))]
    first = services.post_transaction(legs, idempotency_key="bouncer:1", kind="test")
    assert services.post_transaction(legs, idempotency_key="bouncer:1", kind="test").pk == first.pk
    with pytest.raises(IdempotencyConflict):
        services.post_transaction([(a, Decimal("5.00")), (b, Decimal("-5.00"))], idempotency_key="bouncer:1",
                                  kind="test")  # fmt: skip
    with pytest.raises(InsufficientFunds):
        services.post_transaction([(a, Decimal("6.01")), (b, Decimal("-6.01"))], idempotency_key="bouncer:2",
                                  kind="test")  # fmt: skip
    assert _prepared_here() == []
    assert Account.objects.get(pk=a.pk).available == Decimal("6.00")
    assert Transaction.objects.filter(idempotency_key__startswith="bouncer:").count() == 1
    assert_sound()


@pytest.mark.django_db(transaction=True)
def test_prepared_replays_conflicts_refusals_and_unknown_accounts():
    a, b, c = _wallets()
    deposit(a, "10.00")
    legs = [(a, Decimal("4.00")), (b, Decimal("-4.00"))]
    first = services.post_transaction(legs, idempotency_key="prep:1", kind="test")
    # Its funds have moved on since: still a replay, not a refusal.
    services.post_transaction([(a, Decimal("6.00")), (c, Decimal("-6.00"))], idempotency_key="prep:2", kind="test")
    assert services.post_transaction(legs, idempotency_key="prep:1", kind="test").pk == first.pk
    with pytest.raises(IdempotencyConflict):
        services.post_transaction(legs, idempotency_key="prep:1", kind="test", memo="other")
    with pytest.raises(InsufficientFunds, match=r"available \$0\.00, needed \$0\.01"):
        services.post_transaction([(a, Decimal("0.01")), (b, Decimal("-0.01"))], idempotency_key="prep:3",
                                  kind="test")  # fmt: skip
    ghost = _wallets(1)[0]
    Account.objects.filter(pk=ghost.pk).delete()
    with pytest.raises(UnknownAccount):
        services.post_transaction([(b, Decimal("1.00")), (ghost, Decimal("-1.00"))], idempotency_key="prep:4",
                                  kind="test")  # fmt: skip
    assert len(_prepared_here()) == 1
    assert [Account.objects.get(pk=w.pk).available for w in (a, b, c)] == [Decimal("0.00"), Decimal("4.00"),
                                                                             Decimal("6.00")]  # fmt: skip
    assert Transaction.objects.filter(idempotency_key__startswith="prep:").count() == 2
    assert_sound()


@pytest.mark.django_db(transaction=True)
def test_an_account_moved_earlier_in_the_callers_transaction_is_moved_again_at_its_latest_version():
    a, b, c = _wallets()
    deposit(a, "10.00")
    with transaction.atomic():
        for _n in range(5):
            services.post_transaction([(a, Decimal("1.00")), (b, Decimal("-1.00"))], idempotency_key=key(),
                                      kind="test")  # fmt: skip
            services.post_transaction([(b, Decimal("0.50")), (c, Decimal("-0.50"))], idempotency_key=key(),
                                      kind="test")  # fmt: skip
    assert [Account.objects.get(pk=w.pk).available for w in (a, b, c)] == [Decimal("5.00"), Decimal("2.50"),
                                                                             Decimal("2.50")]  # fmt: skip
    assert_sound()
