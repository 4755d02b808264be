"""Any sequence of business actions (invoices issued, part-paid, paid with realized PKR, voided, credited;
milestones funded and approved, refunded or split by a mediator; withdrawals requested, settled or failed;
expenses added, corrected and removed) leaves Books income and expenses, the PKR totals, the tax estimate's
inputs and the annual statement equal to what an independent computation from the action list gives, and the
ledger clean. The model knows only the business rules: the reference rate (fixed at 280 here), Kamai's 5% fee
on releases, the withdrawal fee, and that realized PKR is what counts."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from books import selectors as books
from books import services as book_services
from contracts import services as contracts
from contracts.services import MilestoneTerms
from invoicing import services as invoicing
from invoicing.errors import InvoicingError
from invoicing.tests.factories import ClientFactory, make_invoice
from ledger.checks import ledger_problems
from ledger.models import ExchangeRate
from marketplace.tests.factories import make_client, make_freelancer
from payouts import services as payouts
from payouts.fees import withdrawal_fee_minor
from payouts.tests.helpers import pkr_account
from tax import rules
from tax.selectors import estimate, statement

RATE = 280  # PKR per USD, the only reference rate in these runs
FEE_PERCENT = 5
D = Decimal

dollars = st.integers(min_value=1, max_value=40).map(lambda n: n * 20)  # 5% of it is whole cents
actions = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), dollars),
        st.tuples(st.just("pay"), st.integers(0, 9), st.sampled_from([1, 2]), st.integers(-3000, 3000)),
        st.tuples(st.just("void"), st.integers(0, 9)),
        st.tuples(st.just("credit"), st.integers(0, 9), dollars),
        st.tuples(st.just("milestone"), dollars, st.sampled_from(["approve", "refund", "split"])),
        st.tuples(st.just("withdraw"), dollars, st.booleans(), st.integers(-5000, 5000)),
        st.tuples(st.just("expense"), st.integers(1, 50_000)),
        st.tuples(st.just("correct"), st.integers(0, 9), st.integers(1, 50_000)),
        st.tuples(st.just("remove"), st.integers(0, 9)),
    ),
    min_size=1,
    max_size=10,
)
_run = count()


def _pkr(usd_cents: int) -> int:
    return usd_cents * RATE


def _release(freelancer, client, amount: int, outcome: str, staff, key: str) -> int:
    """Fund a one-milestone contract and finish it; returns the USD cents the freelancer's wallet received."""
    contract = contracts.contract_create(
        freelancer=freelancer, client=client, title=f"Job {key}", kind="fixed", currency="USD",
        milestones=[MilestoneTerms("Part", D(amount), timezone.localdate() + timedelta(days=7))],
        accepted_by_client=True,
    )  # fmt: skip
    milestone = contract.milestones.get()
    contracts.milestone_fund(milestone=milestone, client=client, provider="sandbox", idempotency_key=f"{key}:f")
    gross = amount * 100
    if outcome == "refund":
        contracts.milestone_refund(milestone=milestone, freelancer=freelancer, idempotency_key=f"{key}:r")
        return 0
    contracts.milestone_submit(milestone=milestone, freelancer=freelancer, message="done")
    if outcome == "approve":
        contracts.milestone_approve(milestone=milestone, client=client, idempotency_key=f"{key}:a")
        return gross - gross * FEE_PERCENT // 100
    dispute = contracts.dispute_open(contract=contract, user=client, reason="Late", milestone=milestone)
    share = gross * 7 // 10 // 100 * 100  # 70%, whole dollars
    contracts.dispute_decide(
        dispute=dispute, staff=staff, to_freelancer=D(share) / 100, to_client=D(gross - share) / 100,
        decision="Split 70/30",
    )  # fmt: skip
    return share - share * FEE_PERCENT // 100


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
def test_books_and_tax_follow_any_sequence_of_business_actions(steps):
    run = next(_run)
    with transaction.atomic():
        ExchangeRate.objects.create(
            base_currency="USD", rate=D(RATE), rate_date=timezone.localdate() - timedelta(days=1)
        )
        freelancer, client, staff = make_freelancer(), make_client(), UserFactory(is_staff=True)
        direct_client = ClientFactory(freelancer=freelancer)
        bank = pkr_account(freelancer)
        income = expenses = 0  # PKR paisa, by the model
        invoices, entries = [], []
        wallet = 0  # USD cents in the Kamai wallet, by the model
        for step, action in enumerate(steps):
            key = f"p{run}:{step}"
            match action:
                case ("invoice", amount):
                    invoices.append(make_invoice(client=direct_client, lines=(("Work", "1", f"{amount}.00"),)))
                    income += _pkr(amount * 100)
                case ("pay", i, parts, realized_delta) if invoices:
                    invoice = invoices[i % len(invoices)]
                    invoice.refresh_from_db()
                    due = invoice.amount_due_minor
                    if due <= 0 or invoice.state in ("void", "paid"):
                        continue
                    paid = due // parts
                    realized = _pkr(paid) + realized_delta
                    invoicing.payment_record(
                        invoice=invoice, freelancer=freelancer, amount=D(paid) / 100, currency="USD",
                        received_on=timezone.localdate(), method="wise", idempotency_key=key,
                        realized_pkr=D(realized) / 100,
                    )  # fmt: skip
                    income += realized - _pkr(paid)
                case ("void", i) if invoices:
                    invoice = invoices[i % len(invoices)]
                    invoice.refresh_from_db()
                    try:
                        invoicing.invoice_void(invoice=invoice, freelancer=freelancer)
                    except InvoicingError:
                        continue  # paid or credited: the service refuses, nothing changes
                    if invoice.state != "void":
                        income -= _pkr(invoice.total_minor)
                case ("credit", i, amount) if invoices:
                    invoice = invoices[i % len(invoices)]
                    invoice.refresh_from_db()
                    credit = min(amount * 100, invoice.amount_due_minor)
                    if credit <= 0 or invoice.state in ("void", "paid"):
                        continue
                    invoicing.credit_note_issue(
                        invoice=invoice, freelancer=freelancer, amount=D(credit) / 100, reason="Scope",
                        idempotency_key=key, send_email=False,
                    )  # fmt: skip
                    income -= _pkr(credit)
                case ("milestone", amount, outcome):
                    received = _release(freelancer, client, amount, outcome, staff, key)
                    wallet += received
                    income += _pkr(received)
                case ("withdraw", amount, settle, realized_delta):
                    cents = min(amount * 100, wallet)
                    if cents < 5000:  # below the minimum withdrawal
                        continue
                    withdrawal = payouts.withdrawal_request(
                        freelancer=freelancer, bank_account=bank, currency="USD", amount=D(cents) / 100,
                        idempotency_key=key,
                    )  # fmt: skip
                    if not settle:
                        payouts.withdrawal_fail(withdrawal=withdrawal, staff=staff, reason="Returned",
                                                idempotency_key=f"{key}:x")  # fmt: skip
                        continue
                    fee = withdrawal_fee_minor("USD")
                    realized = _pkr(cents - fee) + realized_delta
                    payouts.withdrawal_settle(
                        withdrawal=withdrawal, staff=staff, bank_reference=f"FT{step}", realized_pkr=D(realized) / 100,
                        prc_number=f"PRC{step}", idempotency_key=f"{key}:s",
                    )  # fmt: skip
                    wallet -= cents
                    expenses += _pkr(fee)
                    income += realized - _pkr(cents - fee)
                case ("expense", paisa):
                    entries.append(
                        (book_services.expense_record(
                            user=freelancer, occurred_on=timezone.localdate(), amount=D(paisa) / 100, currency="PKR",
                            category="internet", idempotency_key=key,
                        ), paisa)
                    )  # fmt: skip
                    expenses += paisa
                case ("correct", i, paisa) if entries:
                    entry, was = entries.pop(i % len(entries))
                    corrected = book_services.expense_correct(
                        user=freelancer, entry=entry, idempotency_key=key, occurred_on=timezone.localdate(),
                        amount=D(paisa) / 100, currency="PKR", category="software",
                    )  # fmt: skip
                    entries.append((corrected, paisa))
                    expenses += paisa - was
                case ("remove", i) if entries:
                    entry, was = entries.pop(i % len(entries))
                    book_services.entry_reverse(user=freelancer, entry=entry, idempotency_key=key)
                    expenses -= was
                case _:
                    continue
            fy = rules.fiscal_year(timezone.localdate())
            totals = books.totals(user=freelancer, start=fy.starts, end=fy.ends)
            assert (totals.income_pkr_minor, totals.expense_pkr_minor, totals.missing_rate) == (income, expenses, 0)
            result = estimate(user=freelancer, fy=fy.label, today=timezone.localdate())
            assert (result.export_income_minor, result.domestic_income_minor) == (income, 0)
            assert result.expenses_minor == expenses
        annual = statement(user=freelancer, fy=rules.fiscal_year(timezone.localdate()).label)
        assert (annual["totals"].income_pkr_minor, annual["totals"].expense_pkr_minor) == (income, expenses)
        assert sum(row["pkr_minor"] for row in annual["by_source"]) == income
        assert ledger_problems() == []
        transaction.set_rollback(True)
