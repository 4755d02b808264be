"""Reads of the ledger: balances (current, as of a time, available vs held), statements, trial balance.

Everything is computed in integer minor units; Decimal appears only when a row is shown.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db.models import F, Q, QuerySet, Subquery, Sum, Window

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


# --- Statement pages: keyset pagination --------------------------------------------------------------
#
# A page is read off ledger_posting_statement (account, posted_at, id) from a cursor, so the last page of a
# million postings costs what the first does (OFFSET would walk every posting before it). The running
# balance needs the balance just before the page; a cursor carries it, signed so a hand-made link cannot
# show a wrong balance. The latest page takes it from the cached balance in the same statement as its
# postings (one snapshot), the oldest page starts from zero.

_CURSOR_SIGNER = signing.Signer(salt="ledger.statement.cursor")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class StatementCursor:
    """A point between two postings of one account, and the signed balance there."""

    account_id: int
    posted_at: datetime
    posting_id: int
    balance_minor: int

    def token(self) -> str:
        micros = (self.posted_at - _EPOCH) // timedelta(microseconds=1)
        return _CURSOR_SIGNER.sign(f"{self.account_id}.{micros}.{self.posting_id}.{self.balance_minor}")

    @classmethod
    def from_token(cls, token: str, *, account: Account) -> "StatementCursor | None":
        """The cursor, or None when the token is not one we made for this account."""
        try:
            account_id, micros, posting_id, balance = (int(part) for part in _CURSOR_SIGNER.unsign(token).split("."))
        except (signing.BadSignature, ValueError):
            return None
        if account_id != account.pk:
            return None
        at = _EPOCH + timedelta(microseconds=micros)
        return cls(account_id=account_id, posted_at=at, posting_id=posting_id, balance_minor=balance)


@dataclass(frozen=True)
class StatementPage:
    """Postings oldest first, each annotated with running_minor (the signed balance after it), and tokens
    for the pages before and after (None at either end)."""

    postings: list[Posting]
    earlier: str | None
    later: str | None


def account_statement_page(
    *, account: Account, after: str | None = None, before: str | None = None, size: int = 50
) -> StatementPage:
    """One page of the account's statement: the postings just after the `after` cursor (the oldest page for
    after="start"), just before the `before` cursor, or else the latest ones."""
    base = Posting.objects.filter(account=account).select_related("transaction")
    cursor = StatementCursor.from_token(after, account=account) if after and after != "start" else None
    if after == "start" or cursor is not None:
        rows = base.order_by("posted_at", "id")
        if cursor is not None:
            rows = rows.filter(_after(cursor))
        rows = list(rows[: size + 1])
        more_later, rows = len(rows) > size, rows[:size]
        opening = cursor.balance_minor if cursor else 0
        return _statement_page(account, rows, opening, has_earlier=cursor is not None, has_later=more_later)
    cursor = StatementCursor.from_token(before, account=account) if before else None
    rows = base.order_by("-posted_at", "-id")
    if cursor is None:
        # The cached balance read in the same statement as the postings: a posting landing meanwhile is in both
        # or in neither.
        rows = rows.annotate(closing_minor=Subquery(Account.objects.filter(pk=account.pk).values("balance_minor")))
    else:
        rows = rows.filter(_before(cursor))
    rows = list(rows[: size + 1])
    more_earlier, rows = len(rows) > size, rows[:size][::-1]
    closing = cursor.balance_minor if cursor else (rows[-1].closing_minor if rows else 0)
    opening = closing - sum(p.amount_minor for p in rows)
    return _statement_page(account, rows, opening, has_earlier=more_earlier, has_later=cursor is not None)


def _after(cursor: StatementCursor) -> Q:
    return Q(posted_at__gt=cursor.posted_at) | Q(posted_at=cursor.posted_at, id__gt=cursor.posting_id)


def _before(cursor: StatementCursor) -> Q:
    return Q(posted_at__lt=cursor.posted_at) | Q(posted_at=cursor.posted_at, id__lt=cursor.posting_id)


def _statement_page(account, rows, opening: int, *, has_earlier: bool, has_later: bool) -> StatementPage:
    running = opening
    for posting in rows:
        running += posting.amount_minor
        posting.running_minor = running
    earlier = later = None
    if rows and has_earlier:
        first = rows[0]
        earlier = StatementCursor(account.pk, first.posted_at, first.pk, first.running_minor - first.amount_minor)
    if rows and has_later:
        last = rows[-1]
        later = StatementCursor(account.pk, last.posted_at, last.pk, last.running_minor)
    return StatementPage(
        postings=rows, earlier=earlier.token() if earlier else None, later=later.token() if later else None
    )


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
