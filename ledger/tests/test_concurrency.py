"""Real threads on PostgreSQL: the row locks keep no-negative accounts whole, lock order prevents
deadlocks, and idempotency holds when the same key arrives twenty times at once."""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection

from ledger import services
from ledger.checks import ledger_problems
from ledger.errors import InsufficientFunds
from ledger.models import Account, Hold, Transaction
from ledger.tests.helpers import deposit

THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrency tests need PostgreSQL row locks (SQLite serialises all writers; CI runs PostgreSQL).")


def _run_threads(target):
    errors = []
    start = threading.Barrier(THREADS)

    def worker(n):
        try:
            start.wait()
            target(n)
        except Exception as error:  # noqa: BLE001 - reported to the main thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_hammering_transfers_between_no_negative_accounts():
    wallets = [services.contract_escrow_account(contract_id=i, currency="USD") for i in range(4)]
    for wallet in wallets:
        deposit(wallet, "100.00")
    done: list[tuple[int, int, int]] = []
    refused = []

    def hammer(n):
        rng = random.Random(n)
        for step in range(25):
            source, target = rng.sample(range(4), 2)
            minor = rng.randint(1, 6_000)
            amount = Decimal(minor).scaleb(-2)
            try:
                services.post_transaction(
                    [(wallets[source], amount), (wallets[target], -amount)],
                    idempotency_key=f"hammer:{n}:{step}",
                    kind="test",
                )
            except InsufficientFunds:
                refused.append(1)
            else:
                done.append((source, target, minor))

    _run_threads(hammer)
    expected = [10_000] * 4
    for source, target, minor in done:
        expected[source] -= minor
        expected[target] += minor
    balances = [Account.objects.get(pk=w.pk).natural_balance_minor for w in wallets]
    assert balances == expected
    assert min(balances) >= 0 and sum(balances) == 40_000
    assert Transaction.objects.filter(kind="test").count() == len(done) == THREADS * 25 - len(refused)
    assert ledger_problems() == []


def test_holds_under_concurrency_never_reserve_more_than_there_is():
    wallet = services.contract_escrow_account(contract_id=99, currency="USD")
    payouts = services.platform_payouts_account(currency="USD")
    deposit(wallet, "100.00")

    def withdraw(n):
        try:
            held = services.hold(
                debit_account=wallet,
                credit_account=payouts,
                amount=Decimal("15.00"),
                idempotency_key=f"withdraw:{n}",
                kind="withdrawal",
            )
        except InsufficientFunds:
            return
        if n % 2:
            services.settle_hold(held)
        else:
            services.void_hold(held)

    _run_threads(withdraw)
    wallet.refresh_from_db()
    settled = Hold.objects.filter(status="settled").count()
    # At least 6 × 15.00 fit in 100.00; voids free room for later holds, settlements use it up.
    assert Hold.objects.count() >= 6 and 1 <= settled <= 6
    assert wallet.held_minor == 0 and wallet.natural_balance_minor == 10_000 - settled * 1_500
    assert ledger_problems() == []


def test_idempotent_replays_under_concurrency_create_one_transaction():
    wallet = services.contract_escrow_account(contract_id=7, currency="USD")
    results = []

    def replay(n):
        results.append(deposit(wallet, "42.00", idempotency_key="same-key").pk)

    _run_threads(replay)
    assert len(set(results)) == 1 and len(results) == THREADS
    assert Transaction.objects.filter(idempotency_key="same-key").count() == 1
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("42.00")
    assert ledger_problems() == []


def test_batch_replays_under_concurrency_create_each_transaction_once():
    wallet = services.contract_escrow_account(contract_id=8, currency="USD")
    bank = services.platform_bank_account(currency="USD")
    batch = [
        {"postings": [(bank, Decimal("1.00")), (wallet, Decimal("-1.00"))], "idempotency_key": f"b:{i}", "kind": "test"}
        for i in range(10)
    ]
    _run_threads(lambda n: services.post_transactions(batch))
    assert Transaction.objects.filter(kind="test").count() == 10
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("10.00")
    assert ledger_problems() == []
