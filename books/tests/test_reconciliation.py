"""Reconciliation (issue 12, item 5): a withdrawal and its bank credit are one transfer, never income twice."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from books import selectors
from books.imports import statement_import_create
from books.models import BankMatch, Entry, ImportStatus, Remittance
from books.reconciliation import bank_match_confirm, match_proposals
from books.services import cash
from books.tests.test_import_layouts import imported
from books.tests.test_money_truth import _settled
from ledger.checks import ledger_problems
from ledger.selectors import account_balance
from payouts.tests.helpers import usd_pkr_rate

D = Decimal
ALWAYS = {"start": date(2000, 1, 1), "end": date(2100, 1, 1)}


def bank_statement(user, *lines: tuple[str, str, str]):
    """A Pakistani bank CSV with these (dd/mm/yyyy, narration, credit) lines."""
    rows = ["Txn Date,Value Date,Narration,Cheque No,Debit,Credit,Balance"]
    rows += [f'{on},{on},{narration},,,"{credit}",' for on, narration, credit in lines]
    upload = SimpleUploadedFile("bank.csv", "\n".join(rows).encode())
    imp = statement_import_create(user=user, source_format="auto", upload=upload)
    assert imp.status == ImportStatus.DONE, imp.errors
    return imp


def income_pkr(user) -> int:
    return selectors.totals(user=user, **ALWAYS).income_pkr_minor


def transit(user, currency):
    return account_balance(account=cash(user, "transit", currency))


def test_payoneer_withdrawal_and_a_bank_credit_booked_as_income_become_one_transfer(client, freelancer, rates):
    imported(freelancer, "payoneer_credit_debit.csv")  # 1,000 USD withdrawn on 10 July, realized 279,500
    payoneer_income = income_pkr(freelancer)
    bank_statement(freelancer, ("12/07/2025", "HOME REMITTANCE REF 88123", "279,000.00"))
    assert income_pkr(freelancer) == payoneer_income + 27900000  # counted twice before matching
    [proposal] = match_proposals(user=freelancer)
    assert proposal.kind == "provider" and proposal.expected == D("280123.40")  # 1,000 × 280.1234

    client.force_login(freelancer)
    page = client.get(reverse("books:reconcile")).content.decode()
    assert "HOME REMITTANCE" in page and reverse("books:reconcile") in page
    response = client.post(
        reverse("books:reconcile_decide"),
        {"kind": "provider", "bank_entry": proposal.bank_entry.pk, "other": proposal.other_id, "decision": "confirm"},
    )
    assert response.status_code == 302
    assert income_pkr(freelancer) == payoneer_income  # the bank credit is no longer income
    assert transit(freelancer, "USD") == 0 and transit(freelancer, "PKR") == 0
    assert account_balance(account=cash(freelancer, "bank", "PKR")) == D("279000.00")
    remittance = Remittance.objects.get(user=freelancer)
    assert (remittance.amount, remittance.currency, remittance.pkr_net, remittance.from_place) == (
        D("1000.00"),
        "USD",
        D("279000.00"),
        "payoneer",
    )
    assert remittance.received_on == date(2025, 7, 12) and remittance.prc_number == ""
    assert "279,000.00" in client.get(reverse("books:remittance_list")).content.decode()
    assert match_proposals(user=freelancer) == []
    again = client.post(
        reverse("books:reconcile_decide"),
        {"kind": "provider", "bank_entry": proposal.bank_entry.pk, "other": proposal.other_id, "decision": "confirm"},
    )
    assert again.status_code == 302 and Remittance.objects.filter(user=freelancer).count() == 1
    assert BankMatch.objects.filter(user=freelancer, status="confirmed").count() == 1
    assert ledger_problems() == []


def test_a_bank_credit_already_booked_as_a_transfer_only_clears_transit(freelancer, rates):
    imported(freelancer, "payoneer_credit_debit.csv")
    imported(freelancer, "bank_pk.csv")  # PAYONEER TRANSFER 279,500 on 11 July: a transfer in
    before = income_pkr(freelancer)
    [proposal] = match_proposals(user=freelancer)  # the 50,000 IBFT is too far from 280,123
    bank_match_confirm(user=freelancer, bank_entry=proposal.bank_entry, withdrawal_entry=proposal.withdrawal_entry)
    assert income_pkr(freelancer) == before
    assert transit(freelancer, "USD") == 0 and transit(freelancer, "PKR") == 0
    assert Remittance.objects.get(user=freelancer).pkr_net == D("279500.00")
    assert not Entry.objects.filter(user=freelancer, reverses__isnull=False).exists()
    assert ledger_problems() == []


def test_a_kamai_withdrawal_and_its_bank_credit_count_income_once(client, db):
    from accounts.tests.factories import UserFactory

    usd_pkr_rate("280.00")
    withdrawal = _settled(UserFactory(is_staff=True))  # 200 USD, realized 55,800
    user = withdrawal.freelancer
    kamai_income = income_pkr(user)
    bank_statement(user, (f"{timezone.localdate():%d/%m/%Y}", "IBFT INWARD MEEZAN 4417", "55,800.00"))
    assert income_pkr(user) == kamai_income + 5580000
    [proposal] = match_proposals(user=user)
    assert proposal.kind == "kamai" and proposal.kamai_remittance.withdrawal_id == withdrawal.pk
    client.force_login(user)
    client.post(
        reverse("books:reconcile_decide"),
        {"kind": "kamai", "bank_entry": proposal.bank_entry.pk, "other": proposal.other_id, "decision": "confirm"},
    )
    assert income_pkr(user) == kamai_income
    assert account_balance(account=cash(user, "bank", "PKR")) == D("55800.00")  # the remittance's, once
    assert Remittance.objects.filter(user=user).count() == 1
    assert match_proposals(user=user) == []
    assert ledger_problems() == []


def test_rejecting_hides_the_proposal_and_moves_nothing(client, freelancer, rates):
    imported(freelancer, "payoneer_credit_debit.csv")
    bank_statement(freelancer, ("12/07/2025", "HOME REMITTANCE REF 88123", "279,000.00"))
    [proposal] = match_proposals(user=freelancer)
    before = income_pkr(freelancer)
    client.force_login(freelancer)
    client.post(
        reverse("books:reconcile_decide"),
        {"kind": "provider", "bank_entry": proposal.bank_entry.pk, "other": proposal.other_id, "decision": "reject"},
    )
    assert match_proposals(user=freelancer) == []
    assert income_pkr(freelancer) == before and not Remittance.objects.exists()
    assert "HOME REMITTANCE" not in client.get(reverse("books:reconcile")).content.decode()


def test_a_credit_outside_the_window_or_tolerance_is_not_proposed(freelancer, rates):
    imported(freelancer, "payoneer_credit_debit.csv")
    bank_statement(
        freelancer,
        ("09/07/2025", "HOME REMITTANCE BEFORE", "280,000.00"),  # before the withdrawal
        ("25/07/2025", "HOME REMITTANCE LATE", "280,000.00"),  # 15 days after
        ("12/07/2025", "HOME REMITTANCE SHORT", "260,000.00"),  # 7% short
    )
    assert match_proposals(user=freelancer) == []


def test_a_stranger_gets_404_and_a_get_writes_nothing(client, freelancer, other, rates):
    imported(freelancer, "payoneer_credit_debit.csv")
    bank_statement(freelancer, ("12/07/2025", "HOME REMITTANCE REF 88123", "279,000.00"))
    [proposal] = match_proposals(user=freelancer)
    client.force_login(other)
    data = {"kind": "provider", "bank_entry": proposal.bank_entry.pk, "other": proposal.other_id}
    assert client.post(reverse("books:reconcile_decide"), {**data, "decision": "confirm"}).status_code == 404
    assert client.get(reverse("books:reconcile_decide"), {**data, "decision": "confirm"}).status_code == 405
    assert not BankMatch.objects.exists() and not Remittance.objects.exists()
    assert "HOME REMITTANCE" not in client.get(reverse("books:reconcile")).content.decode()
