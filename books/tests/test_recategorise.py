"""Moving an expense to another category: a balanced ledger transaction moves the amount between the expense
accounts, the entry, month totals and budget follow, a repeated request changes nothing, and the category is
learned for the next import."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from books import selectors, services
from books.category_rules import entry_recategorise
from books.errors import BooksError
from books.models import CategoryRule, Entry
from books.services import expense_account
from books.tests.test_import_layouts import imported
from books.tests.test_month_totals import grouped_entries, month_totals
from ledger.checks import ledger_problems
from ledger.models import Transaction
from ledger.selectors import account_balance

D = Decimal
NEXT_MONTH = (
    b"Txn Date,Value Date,Narration,Cheque No,Debit,Credit,Balance\n"
    b'20/08/2025,20/08/2025,PTCL BROADBAND 021-7654321,,"3,299.00",,"264,452.00"\n'
)


def expense_balance(user, category: str, currency: str = "PKR") -> Decimal:
    return account_balance(account=expense_account(user, category, currency))


def spent(user, category: str, month: date) -> int:
    return next(line["actual_minor"] for line in selectors.budget_actuals(user=user, month=month)
                if line["category"] == category)  # fmt: skip


@pytest.fixture
def ptcl(freelancer, rates):
    imported(freelancer, "bank_pk.csv")
    return Entry.objects.get(user=freelancer, description__startswith="PTCL")


def test_recategorise_moves_the_money_in_the_ledger_and_the_books_follow(freelancer, ptcl):
    july = date(2025, 7, 1)
    assert (expense_balance(freelancer, "internet"), expense_balance(freelancer, "coworking")) == (D("3299"), 0)
    assert (spent(freelancer, "internet", july), spent(freelancer, "coworking", july)) == (329900, 0)

    entry, rule = entry_recategorise(user=freelancer, entry=ptcl, category="coworking", learn=True,
                                     idempotency_key="k1")  # fmt: skip

    move = Transaction.objects.get(kind="books_recategorise")
    assert sorted(p.amount_minor for p in move.postings.all()) == [-329900, 329900]
    assert (expense_balance(freelancer, "internet"), expense_balance(freelancer, "coworking")) == (0, D("3299"))
    assert Entry.objects.get(pk=ptcl.pk).category == entry.category == "coworking"
    assert (spent(freelancer, "internet", july), spent(freelancer, "coworking", july)) == (0, 329900)
    assert month_totals() == grouped_entries()
    assert (rule.pattern, rule.category, rule.origin) == ("ptcl broadband", "coworking", "learned")
    assert ledger_problems() == []

    # The same request again (a double submit) changes nothing; the same key for another category is refused.
    entry_recategorise(user=freelancer, entry=ptcl, category="coworking", learn=True, idempotency_key="k1")
    assert Transaction.objects.filter(kind="books_recategorise").count() == 1
    with pytest.raises(BooksError, match="different request"):
        entry_recategorise(user=freelancer, entry=ptcl, category="software", learn=True, idempotency_key="k1")
    with pytest.raises(BooksError, match="already in Co-working"):
        entry_recategorise(user=freelancer, entry=ptcl, category="coworking", learn=False, idempotency_key="k2")
    assert Transaction.objects.filter(kind="books_recategorise").count() == 1

    # Back and forth: each change is its own move, and the ledger still agrees with the entry.
    entry_recategorise(user=freelancer, entry=ptcl, category="internet", learn=False, idempotency_key="k3")
    entry_recategorise(user=freelancer, entry=ptcl, category="coworking", learn=False, idempotency_key="k4")
    assert (expense_balance(freelancer, "internet"), expense_balance(freelancer, "coworking")) == (0, D("3299"))
    assert month_totals() == grouped_entries()
    assert ledger_problems() == []


def test_a_learned_rule_categorises_the_next_import(freelancer, ptcl):
    entry_recategorise(user=freelancer, entry=ptcl, category="coworking", learn=True, idempotency_key="k1")
    imported(freelancer, "bank_pk.csv", content=NEXT_MONTH)
    august = Entry.objects.get(user=freelancer, occurred_on=date(2025, 8, 20))
    assert august.category == "coworking"
    assert expense_balance(freelancer, "coworking") == D("6598")


def test_without_learning_no_rule_is_kept(freelancer, ptcl):
    entry_recategorise(user=freelancer, entry=ptcl, category="coworking", learn=False, idempotency_key="k1")
    assert not CategoryRule.objects.exists()
    imported(freelancer, "bank_pk.csv", content=NEXT_MONTH)
    assert Entry.objects.get(user=freelancer, occurred_on=date(2025, 8, 20)).category == "internet"


def test_removing_a_recategorised_expense_takes_it_out_of_every_account(freelancer, rates):
    expense = services.expense_record(user=freelancer, occurred_on=date(2025, 7, 2), amount=D("10"), currency="USD",
                                      category="software", idempotency_key="e1")  # fmt: skip
    entry_recategorise(user=freelancer, entry=expense, category="equipment", learn=False, idempotency_key="k1")
    assert (expense_balance(freelancer, "software", "USD"), expense_balance(freelancer, "equipment", "USD")) == (
        0,
        D("10"),
    )
    services.entry_reverse(user=freelancer, entry=Entry.objects.get(pk=expense.pk), idempotency_key="r1")
    assert (expense_balance(freelancer, "software", "USD"), expense_balance(freelancer, "equipment", "USD")) == (0, 0)
    assert month_totals() == grouped_entries()
    with pytest.raises(BooksError, match="removed|Only an expense"):
        entry_recategorise(user=freelancer, entry=expense, category="other", learn=False, idempotency_key="k2")
    assert ledger_problems() == []


def test_only_own_expenses_move(freelancer, other, ptcl):
    income = Entry.objects.get(user=freelancer, kind="income")
    with pytest.raises(BooksError, match="Only an expense"):
        entry_recategorise(user=freelancer, entry=income, category="other", learn=False, idempotency_key="k1")
    with pytest.raises(BooksError, match="No such entry"):
        entry_recategorise(user=other, entry=ptcl, category="other", learn=False, idempotency_key="k1")
    with pytest.raises(BooksError, match="Choose a category"):
        entry_recategorise(user=freelancer, entry=ptcl, category="groceries", learn=False, idempotency_key="k1")
    assert not Transaction.objects.filter(kind="books_recategorise").exists()


def test_the_entry_page_changes_the_category_and_learns(client, freelancer, other, ptcl):
    url = reverse("books:entry_detail", args=[ptcl.pk])
    change = reverse("books:entry_recategorise", args=[ptcl.pk])
    client.force_login(freelancer)
    page = client.get(url).content.decode()
    assert change in page and "future imports matching 'ptcl broadband'" in page
    assert client.get(change).status_code == 405
    same = client.post(change, {"category": "internet", "learn": "1", "idempotency_key": "a"}, follow=True)
    assert "already in Internet" in same.content.decode()
    client.force_login(other)
    assert client.post(change, {"category": "other", "learn": "1", "idempotency_key": "b"}).status_code == 404
    client.force_login(freelancer)
    done = client.post(change, {"category": "software", "learn": "1", "idempotency_key": "c"}, follow=True)
    assert "Moved to Software" in done.content.decode()
    assert Entry.objects.get(pk=ptcl.pk).category == "software"
    assert CategoryRule.objects.get(user=freelancer).pattern == "ptcl broadband"
    assert expense_balance(freelancer, "software") == D("3299")
    income = Entry.objects.get(user=freelancer, kind="income")
    assert (
        reverse("books:entry_recategorise", args=[income.pk])
        not in client.get(reverse("books:entry_detail", args=[income.pk])).content.decode()
    )
