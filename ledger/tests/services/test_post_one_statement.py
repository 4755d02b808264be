"""PostgreSQL posts a single transaction through one function call (ledger_post_one): one round trip when
no read model needs it, the projectors in the same database transaction when one does, and a refusal that
leaves the caller's own transaction usable."""

from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from books.models import Entry
from ledger import services, sql
from ledger.errors import IdempotencyConflict, InsufficientFunds
from ledger.models import Account, Transaction
from ledger.tests.helpers import assert_sound, deposit, key


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("The one-statement path is PostgreSQL's; SQLite keeps the Python path, tested elsewhere.")


def _platform_pair():
    source = services.account_get_or_create(
        code=f"platform:test:{key('a')}:USD", book="platform", kind="liability", currency="USD", no_negative=True
    )
    target = services.account_get_or_create(
        code=f"platform:test:{key('b')}:USD", book="platform", kind="liability", currency="USD", no_negative=True
    )
    return source, target


@pytest.mark.django_db(transaction=True)
def test_a_transfer_no_read_model_wants_is_one_statement_and_its_own_transaction(monkeypatch):
    source, target = _platform_pair()
    deposit(source, "50.00")
    ledger_statements = []
    run = sql._run
    monkeypatch.setattr(sql, "_run", lambda cursor, query, params, **kw: ledger_statements.append(query) or run(
        cursor, query, params, **kw))  # fmt: skip
    with CaptureQueriesContext(connection) as django_queries:  # the ledger's own cursor is not logged here
        posted = services.post_transaction(
            [(source, Decimal("20.00")), (target, Decimal("-20.00"))], idempotency_key="one:1", kind="test"
        )
    assert [q.split("(")[0] for q in ledger_statements] == ["SELECT * FROM ledger_post_one"]
    assert django_queries.captured_queries == []
    # Committed by that statement alone: no transaction is left open on the connection.
    assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.available, target.available) == (Decimal("30.00"), Decimal("20.00"))
    assert sorted(p.amount_minor for p in posted.postings.all()) == [-2000, 2000]
    assert Transaction.objects.get(idempotency_key="one:1").pk == posted.pk
    assert_sound()


@pytest.mark.django_db
def test_a_replay_returns_the_first_transaction_and_other_content_is_refused():
    source, target = _platform_pair()
    deposit(source, "50.00")
    legs = [(source, Decimal("5.00")), (target, Decimal("-5.00"))]
    first = services.post_transaction(legs, idempotency_key="one:replay", kind="test")
    again = services.post_transaction(legs, idempotency_key="one:replay", kind="test")
    assert again.pk == first.pk and Transaction.objects.filter(idempotency_key="one:replay").count() == 1
    with pytest.raises(IdempotencyConflict):
        services.post_transaction(
            [(source, Decimal("6.00")), (target, Decimal("-6.00"))], idempotency_key="one:replay", kind="test"
        )
    source.refresh_from_db()
    assert source.available == Decimal("45.00")


@pytest.mark.django_db
def test_a_refusal_writes_nothing_and_the_callers_transaction_goes_on():
    source, target = _platform_pair()
    deposit(source, "10.00")
    before = Transaction.objects.count()
    with transaction.atomic():
        with pytest.raises(InsufficientFunds, match=r"available \$10\.00, needed \$10\.01"):
            services.post_transaction(
                [(source, Decimal("10.01")), (target, Decimal("-10.01"))], idempotency_key="one:short", kind="test"
            )
        # No savepoint was needed: the function raised nothing, so the outer transaction is still usable.
        services.post_transaction(
            [(source, Decimal("10.00")), (target, Decimal("-10.00"))], idempotency_key="one:exact", kind="test"
        )
    assert Transaction.objects.count() == before + 1
    assert not Transaction.objects.filter(idempotency_key="one:short").exists()
    source.refresh_from_db()
    assert source.available == Decimal("0.00")
    assert_sound()


@pytest.mark.django_db(transaction=True)
def test_a_wallet_credit_writes_its_book_entry_in_the_same_transaction(user):
    wallet = services.freelancer_wallet_account(freelancer=user, currency="USD")
    deposit(wallet, "75.00")
    entry = Entry.objects.get(user=user)
    assert (entry.kind, entry.amount_minor, entry.currency) == ("income", 7500, "USD")
    assert Account.objects.get(pk=wallet.pk).available == Decimal("75.00")
