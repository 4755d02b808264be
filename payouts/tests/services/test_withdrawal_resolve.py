from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from ledger.models import HoldStatus, Transaction
from ledger.selectors import account_balance
from ledger.services import platform_bank_account, platform_fees_account, platform_payouts_account
from payouts import services
from payouts.errors import InvalidTransition, NotAllowed, PayoutError
from payouts.models import WithdrawalState
from payouts.tests.helpers import (
    assert_ledger_clean,
    fcy_account,
    funded_freelancer,
    key,
    pkr_account,
    usd_pkr_rate,
    wallet,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def _requested(amount="200", fcy=False):
    freelancer = funded_freelancer("1000")  # 950.00 in the wallet
    if fcy:
        account = fcy_account(freelancer)
    else:
        usd_pkr_rate("280.00")
        account = pkr_account(freelancer)
    return services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal(amount), idempotency_key=key()
    )


def test_settle_posts_the_hold_pays_out_and_records_the_bank(staff, mailoutbox, django_capture_on_commit_callbacks):
    withdrawal = _requested("200")
    bank_before = account_balance(account=platform_bank_account(currency="USD"))
    fees_before = account_balance(account=platform_fees_account(currency="USD"))
    with django_capture_on_commit_callbacks(execute=True):
        settled = services.withdrawal_settle(
            withdrawal=withdrawal,
            staff=staff,
            bank_reference="FT-123",
            realized_pkr=Decimal("55800.00"),
            prc_number="PRC-9",
            idempotency_key=key(),
        )
    assert settled.state == WithdrawalState.SETTLED
    assert settled.bank_reference == "FT-123" and settled.prc_number == "PRC-9" and settled.purpose_code == "9186"
    assert settled.realized_pkr == Decimal("55800.00")
    assert settled.expected_payout == Decimal("55720.00")  # 199 × 280
    assert settled.fx_difference_pkr == Decimal("80.00")
    assert settled.resolved_by == staff and settled.resolved_at is not None
    settled.hold.refresh_from_db()
    assert settled.hold.status == HoldStatus.SETTLED
    w = wallet(withdrawal.freelancer)
    assert (w.balance, w.held, w.available) == (Decimal("750.00"), 0, Decimal("750.00"))
    assert account_balance(account=platform_payouts_account(currency="USD")) == 0
    assert account_balance(account=platform_bank_account(currency="USD")) == bank_before - Decimal("199.00")
    assert account_balance(account=platform_fees_account(currency="USD")) == fees_before + Decimal("1.00")
    paid = Transaction.objects.get(kind="withdrawal_paid")
    assert settled.settlement == paid
    assert sorted(p.amount_minor for p in paid.postings.all()) == [-19900, -100, 20000]
    assert "FT-123" in mailoutbox[-1].body
    assert_ledger_clean()


def test_settle_twice_with_the_same_key_pays_once(staff):
    withdrawal = _requested()
    same = key()
    for _ in range(2):
        services.withdrawal_settle(
            withdrawal=withdrawal,
            staff=staff,
            bank_reference="FT-1",
            realized_pkr=Decimal("55000"),
            prc_number="P",
            idempotency_key=same,
        )
    assert Transaction.objects.filter(kind="withdrawal_paid").count() == 1
    with pytest.raises(InvalidTransition, match="already paid"):
        services.withdrawal_settle(
            withdrawal=withdrawal,
            staff=staff,
            bank_reference="FT-2",
            realized_pkr=Decimal("55000"),
            prc_number="P",
            idempotency_key=key(),
        )
    with pytest.raises(InvalidTransition):
        services.withdrawal_fail(withdrawal=withdrawal, staff=staff, reason="late", idempotency_key=key())
    assert_ledger_clean()


def test_settle_needs_reference_pkr_and_prc(staff):
    withdrawal = _requested()
    base = {"withdrawal": withdrawal, "staff": staff, "idempotency_key": key()}
    with pytest.raises(PayoutError, match="bank's reference"):
        services.withdrawal_settle(**base, bank_reference=" ", realized_pkr=Decimal(1), prc_number="P")
    with pytest.raises(PayoutError, match="PKR amount"):
        services.withdrawal_settle(**base, bank_reference="R", realized_pkr=None, prc_number="P")
    with pytest.raises(PayoutError, match="PRC number"):
        services.withdrawal_settle(**base, bank_reference="R", realized_pkr=Decimal(55000), prc_number="")
    withdrawal.refresh_from_db()
    assert withdrawal.state == WithdrawalState.REQUESTED
    assert not Transaction.objects.filter(kind__startswith="withdrawal").exists()


def test_fcy_settlement_may_omit_pkr(staff):
    withdrawal = _requested("100", fcy=True)
    settled = services.withdrawal_settle(
        withdrawal=withdrawal,
        staff=staff,
        bank_reference="SWIFT-1",
        realized_pkr=None,
        prc_number="PRC-1",
        idempotency_key=key(),
    )
    assert settled.realized_pkr is None and settled.fx_difference_pkr is None
    assert wallet(withdrawal.freelancer).balance == Decimal("850.00")
    assert_ledger_clean()


def test_fail_voids_the_hold_and_restores_the_balance(staff):
    withdrawal = _requested("300")
    assert wallet(withdrawal.freelancer).available == Decimal("650.00")
    failed = services.withdrawal_fail(withdrawal=withdrawal, staff=staff, reason="IBAN closed", idempotency_key=key())
    assert failed.state == WithdrawalState.FAILED and failed.failure_reason == "IBAN closed"
    failed.hold.refresh_from_db()
    assert failed.hold.status == HoldStatus.VOIDED
    w = wallet(withdrawal.freelancer)
    assert (w.balance, w.held, w.available) == (Decimal("950.00"), 0, Decimal("950.00"))
    assert not Transaction.objects.filter(kind__startswith="withdrawal").exists()
    with pytest.raises(InvalidTransition, match="already failed"):
        services.withdrawal_settle(
            withdrawal=withdrawal,
            staff=staff,
            bank_reference="R",
            realized_pkr=Decimal(1),
            prc_number="P",
            idempotency_key=key(),
        )
    assert_ledger_clean()


def test_fail_needs_a_reason(staff):
    withdrawal = _requested()
    with pytest.raises(PayoutError, match="why"):
        services.withdrawal_fail(withdrawal=withdrawal, staff=staff, reason="", idempotency_key=key())


def test_only_staff_resolve():
    withdrawal = _requested()
    with pytest.raises(NotAllowed):
        services.withdrawal_settle(
            withdrawal=withdrawal,
            staff=withdrawal.freelancer,
            bank_reference="R",
            realized_pkr=Decimal(1),
            prc_number="P",
            idempotency_key=key(),
        )
    with pytest.raises(NotAllowed):
        services.withdrawal_fail(withdrawal=withdrawal, staff=withdrawal.freelancer, reason="x", idempotency_key=key())
    withdrawal.refresh_from_db()
    assert withdrawal.state == WithdrawalState.REQUESTED


def test_a_settle_key_replayed_with_other_figures_is_refused(staff):
    withdrawal = _requested("200")
    same = key()
    args = dict(withdrawal=withdrawal, staff=staff, bank_reference="FT-1", prc_number="PRC-1", idempotency_key=same)
    services.withdrawal_settle(realized_pkr=Decimal("55800.00"), **args)
    assert services.withdrawal_settle(realized_pkr=Decimal("55800"), **args).state == WithdrawalState.SETTLED
    with pytest.raises(PayoutError, match="different request"):
        services.withdrawal_settle(realized_pkr=Decimal("100.00"), **args)
    withdrawal.refresh_from_db()
    assert withdrawal.realized_pkr == Decimal("55800.00")
    assert_ledger_clean()


def test_pkr_far_from_the_expected_payout_needs_a_reason(staff):
    withdrawal = _requested("200")  # expects 199 × 280 = 55,720.00 PKR
    with pytest.raises(PayoutError, match="away from the"):
        services.withdrawal_settle(
            withdrawal=withdrawal, staff=staff, bank_reference="FT-1", realized_pkr=Decimal("199.00"),
            prc_number="PRC-1", idempotency_key=key(),
        )  # fmt: skip
    withdrawal.refresh_from_db()
    assert withdrawal.state == WithdrawalState.REQUESTED and withdrawal.hold.status == HoldStatus.PENDING
    within = services.withdrawal_settle(
        withdrawal=withdrawal, staff=staff, bank_reference="FT-1", realized_pkr=Decimal("55000.00"),
        prc_number="PRC-1", idempotency_key=key(),
    )  # fmt: skip
    assert within.state == WithdrawalState.SETTLED  # 1.29% off: within the 2% tolerance


def test_a_stated_reason_lets_an_unusual_pkr_amount_through(staff):
    withdrawal = _requested("200")
    settled = services.withdrawal_settle(
        withdrawal=withdrawal, staff=staff, bank_reference="FT-2", realized_pkr=Decimal("50000.00"),
        prc_number="PRC-2", idempotency_key=key(), variance_reason="Bank applied its own rate and a charge",
    )  # fmt: skip
    assert settled.variance_reason == "Bank applied its own rate and a charge"
