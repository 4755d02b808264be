"""The restore drill of docs/OPERATIONS.md, run for real: move money through the services, `pg_dump -Fc` the
database, `pg_restore` it into a new one, and check that the ledger there is whole and every account holds
what it held before. PostgreSQL only (the dump tools are PostgreSQL's)."""

import os
import subprocess
import sys
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from contracts import services
from contracts.tests.helpers import assert_ledger_clean, fixed_contract, key
from ledger.models import Account, Posting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("The restore drill uses pg_dump and pg_restore (CI runs PostgreSQL).")


def _pg(*args: str) -> subprocess.CompletedProcess:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or "", "PGHOST": db["HOST"] or "", "PGUSER": db["USER"] or ""}
    env["PGPORT"] = str(db["PORT"] or 5432)
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=True)  # noqa: S603


def _move_money() -> None:
    """One milestone funded and released (escrow, wallet, fee), one funded and still in escrow."""
    contract = fixed_contract(amounts=("500", "300"))
    first, second = contract.milestones.order_by("pk")
    for milestone in (first, second):
        services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=first, freelancer=contract.freelancer, message="Shop is live")
    services.milestone_approve(milestone=first, client=contract.client, idempotency_key=key())
    assert_ledger_clean()


def test_a_dump_restored_into_a_new_database_has_the_same_sound_ledger(tmp_path):
    _move_money()
    balances = dict(Account.objects.values_list("code", "balance_minor"))
    assert any(balances.values()) and Posting.objects.exists()

    db = connection.settings_dict
    dump = tmp_path / "kamai.dump"
    _pg("pg_dump", "-Fc", "--no-owner", "-f", str(dump), db["NAME"])
    restored = f"kamai_restore_{os.getpid()}"
    _pg("createdb", restored)
    try:
        _pg("pg_restore", "--no-owner", "--exit-on-error", "-d", restored, str(dump))
        with psycopg.connect(
            dbname=restored, host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"]
        ) as restored_db:
            per_currency = restored_db.execute(
                "SELECT currency, SUM(amount_minor) FROM ledger_posting GROUP BY currency"
            ).fetchall()
            accounts = restored_db.execute(
                "SELECT a.code, a.balance_minor, COALESCE(SUM(p.amount_minor), 0) FROM ledger_account a "
                "LEFT JOIN ledger_posting p ON p.account_id = a.id GROUP BY a.id"
            ).fetchall()
        assert per_currency and all(total == 0 for _currency, total in per_currency)
        assert {code: cached for code, cached, _summed in accounts} == balances
        assert all(cached == summed for _code, cached, summed in accounts)

        # And the operator's own check, pointed at the restored copy as docs/OPERATIONS.md says.
        login = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
        url = f"postgres://{login}@{db['HOST']}:{db['PORT'] or 5432}/{restored}"
        check = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "ledger_check"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "Ledger check OK" in check.stdout
    finally:
        _pg("dropdb", "--if-exists", restored)
