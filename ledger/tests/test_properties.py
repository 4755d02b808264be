"""Any sequence of transfers, batches, reversals, holds, settles, voids and conversions keeps every
invariant: each currency sums to zero, cached balances equal the postings, no no-negative account is
overdrawn, holds add up, and the balances are exactly what a simple model of the operations predicts."""

from decimal import Decimal
from itertools import count

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import services
from ledger.checks import ledger_problems
from ledger.errors import HoldError, InsufficientFunds
from ledger.models import Account, Transaction
from ledger.money import convert, from_minor, to_minor

USD_WALLETS = 3
PKR_WALLETS = 2
amounts = st.integers(min_value=1, max_value=50_000)  # minor units: up to 500.00
rates = st.decimals(min_value=Decimal("150"), max_value=Decimal("320"), places=4)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), st.integers(0, USD_WALLETS - 1), amounts),
        st.tuples(st.just("transfer"), st.integers(0, USD_WALLETS - 1), st.integers(0, USD_WALLETS - 1), amounts),
        st.tuples(st.just("hold"), st.integers(0, USD_WALLETS - 1), amounts),
        st.tuples(st.just("settle"), st.integers(0, 20), st.booleans()),
        st.tuples(st.just("void"), st.integers(0, 20)),
        st.tuples(st.just("convert"), st.integers(0, USD_WALLETS - 1), st.integers(0, PKR_WALLETS - 1), amounts, rates),
        st.tuples(
            st.just("batch"),
            st.lists(
                st.tuples(st.integers(0, USD_WALLETS - 1), st.integers(0, USD_WALLETS - 1), amounts),
                min_size=1,
                max_size=4,
            ),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 20)),
    ),
    max_size=25,
)
_run = count()


def _usd(minor):
    return from_minor(minor, "USD")


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_sequence_of_operations_keeps_every_invariant(ops):
    run = next(_run)
    with transaction.atomic():
        usd = [services.contract_escrow_account(contract_id=10 * i + 1, currency="USD") for i in range(USD_WALLETS)]
        pkr = [services.contract_escrow_account(contract_id=10 * i + 2, currency="PKR") for i in range(PKR_WALLETS)]
        bank = services.platform_bank_account(currency="USD")
        payouts = services.platform_payouts_account(currency="USD")
        expected = {a.pk: [0, 0] for a in usd + pkr}  # natural balance, held
        holds = []
        posted = []  # (transaction, {account id: natural delta}) of plain transfers, for reversals
        for step, op in enumerate(ops):
            k = f"prop:{run}:{step}"
            match op:
                case ("deposit", i, minor):
                    posted.append(
                        (
                            services.post_transaction(
                                [(bank, _usd(minor)), (usd[i], -_usd(minor))], idempotency_key=k, kind="test"
                            ),
                            {usd[i].pk: minor},
                        )
                    )
                    expected[usd[i].pk][0] += minor
                case ("transfer", i, j, minor):
                    try:
                        services.post_transaction(
                            [(usd[i], _usd(minor)), (usd[j], -_usd(minor))], idempotency_key=k, kind="test"
                        )
                    except InsufficientFunds:
                        assert expected[usd[i].pk][0] - expected[usd[i].pk][1] < minor
                    else:
                        expected[usd[i].pk][0] -= minor
                        expected[usd[j].pk][0] += minor
                case ("batch", transfers):
                    batch = [
                        {
                            "postings": [(usd[i], _usd(minor)), (usd[j], -_usd(minor))],
                            "idempotency_key": f"{k}:{n}",
                            "kind": "test",
                        }
                        for n, (i, j, minor) in enumerate(transfers)
                    ]
                    trial = {pk: list(v) for pk, v in expected.items()}
                    feasible = True
                    for i, j, minor in transfers:
                        if i != j and trial[usd[i].pk][0] - trial[usd[i].pk][1] < minor:
                            feasible = False
                        trial[usd[i].pk][0] -= minor
                        trial[usd[j].pk][0] += minor
                    try:
                        services.post_transactions(batch)
                    except InsufficientFunds:
                        assert not feasible
                    else:
                        assert feasible
                        expected = trial
                case ("reverse", n):
                    if not posted:
                        continue
                    original, deltas = posted[n % len(posted)]
                    reversal_key = f"reversal:{original.pk}"
                    already = Transaction.objects.filter(idempotency_key=reversal_key).exists()
                    try:
                        services.reverse_transaction(original=original)
                    except InsufficientFunds:
                        assert not already
                    else:
                        if not already:
                            for pk, delta in deltas.items():
                                expected[pk][0] -= delta
                case ("hold", i, minor):
                    try:
                        held = services.hold(
                            debit_account=usd[i],
                            credit_account=payouts,
                            amount=_usd(minor),
                            idempotency_key=k,
                            kind="withdrawal",
                        )
                    except InsufficientFunds:
                        assert expected[usd[i].pk][0] - expected[usd[i].pk][1] < minor
                    else:
                        expected[usd[i].pk][1] += minor
                        holds.append([held, usd[i].pk, minor, "pending"])
                case ("settle", n, partial):
                    if not holds:
                        continue
                    held, pk, minor, status = holds[n % len(holds)]
                    part = max(1, minor // 2) if partial else minor
                    try:
                        services.settle_hold(held, amount=_usd(part))
                    except HoldError:
                        assert status != "pending"
                    else:
                        if status == "pending":
                            expected[pk][0] -= part
                            expected[pk][1] -= minor
                        holds[n % len(holds)][3] = "settled"
                case ("void", n):
                    if not holds:
                        continue
                    held, pk, minor, status = holds[n % len(holds)]
                    try:
                        services.void_hold(held)
                    except HoldError:
                        assert status == "settled"
                    else:
                        if status == "pending":
                            expected[pk][1] -= minor
                        holds[n % len(holds)][3] = "voided"
                case ("convert", i, j, minor, rate):
                    try:
                        services.convert_currency(
                            source=usd[i], target=pkr[j], amount=_usd(minor), rate=rate, idempotency_key=k
                        )
                    except InsufficientFunds:
                        assert expected[usd[i].pk][0] - expected[usd[i].pk][1] < minor
                    else:
                        expected[usd[i].pk][0] -= minor
                        expected[pkr[j].pk][0] += to_minor(convert(_usd(minor), rate, "PKR"), "PKR")
        problems = ledger_problems()
        assert problems == [], problems
        for account in Account.objects.filter(pk__in=expected):
            assert [account.natural_balance_minor, account.held_minor] == expected[account.pk], account.code
            assert account.available_minor >= 0
        transaction.set_rollback(True)
