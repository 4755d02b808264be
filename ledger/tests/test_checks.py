import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from ledger import services
from ledger.models import Account, Hold, HoldStatus
from ledger.tests.helpers import deposit, key

pytestmark = pytest.mark.django_db


def test_ledger_check_passes_on_a_sound_ledger(wallet):
    deposit(wallet, "10.00")
    out = io.StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger check OK" in out.getvalue()


def _run_check():
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("ledger_check", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    return err.getvalue()


def test_ledger_check_reports_a_cached_balance_that_drifted(wallet):
    deposit(wallet, "10.00")
    Account.objects.filter(pk=wallet.pk).update(balance_minor=-999)
    report = _run_check()
    assert "Ledger check FAILED" in report
    assert f"{wallet.code}: cached balance" in report


def test_ledger_check_reports_an_overdrawn_account_and_a_held_mismatch(wallet):
    deposit(wallet, "10.00")
    Account.objects.filter(pk=wallet.pk).update(held_minor=2000)
    report = _run_check()
    assert "may not go negative" in report and "pending holds reserve" in report


def test_ledger_check_reports_an_unbalanced_transaction(wallet):
    posted = deposit(wallet, "10.00")
    # Forge a third leg behind the services' back, as a broken import might.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_posting (transaction_id, account_id, amount_minor, currency, posted_at) "
            "VALUES (%s, %s, 1, 'USD', %s)",
            [posted.pk, wallet.pk, posted.created_at],
        )
    report = _run_check()
    assert f"Transaction {posted.pk} is off by" in report and "Book platform is off by" in report


def test_ledger_check_reports_an_inconsistent_hold(wallet):
    deposit(wallet, "10.00")
    held = services.hold(
        debit_account=wallet,
        credit_account=services.platform_payouts_account(currency="USD"),
        amount=Decimal("1"),
        idempotency_key=key(),
        kind="withdrawal",
    )
    Hold.objects.filter(pk=held.pk).update(status=HoldStatus.SETTLED)
    report = _run_check()
    assert "settled without a settlement" in report
