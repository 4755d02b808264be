"""Reads of the ledger: balances (current, as of a time, available vs held), statements, trial balance.

Everything is computed in integer minor units; Decimal appears only when a row is shown.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet, Sum, Window

from ledger.models import Account, Posting, normal_sign, sum_minor
from ledger.money import from_minor


def account_balance_minor(*, account: Account, as_of: datetime | None = None) -> int:
    """The signed balance (debit positive) from the postings themselves, optionally as of a time."""
    postings = Posting.objects.filter(account=account)
    if as_of is not None:
        postings = postings.filter(posted_at__lte=as_of)
    return postings.aggregate(total=sum_minor("amount_minor"))["total"]


def account_balance(*, account: Account, as_of: datetime | None = None):
    """The balance in the account's natural sign, as a Decimal in its currency."""
    return from_minor(account.sign * account_balance_minor(account=account, as_of=as_of), account.currency)


@dataclass(frozen=True)
class BalanceLine:
    account: Account
    balance: object
    held: object
    available: object


def user_accounts(*, user) -> QuerySet[Account]:
    return Account.objects.filter(owner=user).order_by("book", "currency", "code")


def user_balances(*, user) -> list[BalanceLine]:
    """Each of the user's accounts with its balance, held and available amounts (natural sign)."""
    return [BalanceLine(a, a.balance, a.held, a.available) for a in user_accounts(user=user)]


def user_account(*, user, account_id: int) -> Account:
    """One of the user's own accounts; Account.DoesNotExist for anyone else's."""
    return Account.objects.get(pk=account_id, owner=user)


def account_statement(
    *, account: Account, start: datetime | None = None, end: datetime | None = None
) -> tuple[int, QuerySet[Posting]]:
    """(opening balance in minor units, postings oldest first annotated with running_minor), both signed.
    The running balance is a window sum, so it stays right when the queryset is paginated."""
    postings = Posting.objects.filter(account=account)
    opening = 0
    if start is not None:
        opening = (
            account_balance_minor(account=account, as_of=None)
            - postings.filter(posted_at__gte=start).aggregate(total=sum_minor("amount_minor"))["total"]
        )
        postings = postings.filter(posted_at__gte=start)
    if end is not None:
        postings = postings.filter(posted_at__lte=end)
    postings = (
        postings.select_related("transaction")
        .annotate(running_minor=Window(Sum("amount_minor"), order_by=[F("posted_at").asc(), F("id").asc()]))
        .order_by("posted_at", "id")
    )
    return opening, postings


@dataclass(frozen=True)
class TrialBalanceLine:
    account: Account
    balance_minor: int

    @property
    def debit(self):
        return from_minor(self.balance_minor, self.account.currency) if self.balance_minor > 0 else None

    @property
    def credit(self):
        return from_minor(-self.balance_minor, self.account.currency) if self.balance_minor < 0 else None


@dataclass
class TrialBalance:
    book: str
    currency: str
    lines: list[TrialBalanceLine]
    debit_minor: int = 0
    credit_minor: int = 0

    @property
    def balanced(self) -> bool:
        return self.debit_minor == self.credit_minor

    @property
    def debit(self):
        return from_minor(self.debit_minor, self.currency)

    @property
    def credit(self):
        return from_minor(self.credit_minor, self.currency)


def trial_balance(*, book: str | None = None, as_of: datetime | None = None) -> list[TrialBalance]:
    """Every account's balance from its postings, grouped by book and currency; each group's debits equal
    its credits when the ledger is sound."""
    posting_filter = Q(postings__posted_at__lte=as_of) if as_of is not None else Q()
    accounts = Account.objects.annotate(total=sum_minor("postings__amount_minor", filter=posting_filter)).order_by(
        "book", "currency", "code"
    )
    if book is not None:
        accounts = accounts.filter(book=book)
    groups: dict[tuple[str, str], TrialBalance] = {}
    for account in accounts:
        if not account.total:
            continue
        group = groups.setdefault((account.book, account.currency), TrialBalance(account.book, account.currency, []))
        group.lines.append(TrialBalanceLine(account, account.total))
        if account.total > 0:
            group.debit_minor += account.total
        else:
            group.credit_minor -= account.total
    return list(groups.values())


def natural_minor(*, account: Account, signed_minor: int) -> int:
    """A signed (debit-positive) amount in the account's natural sign: a wallet holding Rs 100 gives +10000."""
    return normal_sign(account.kind) * signed_minor
