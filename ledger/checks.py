"""The ledger's invariants, recomputed from the postings. `manage.py ledger_check` and the tests run these."""

from django.db.models import Count, F, Q, Sum

from ledger.models import DEBIT_NORMAL_KINDS, Account, Hold, HoldStatus, Posting, Transaction, sum_minor
from ledger.money import format_minor


def ledger_problems(*, limit: int = 50) -> list[str]:
    """Every broken invariant, one readable line each (at most `limit` per kind). Empty means sound."""
    problems: list[str] = []

    def report(lines):
        lines = list(lines)
        problems.extend(lines[:limit])
        if len(lines) > limit:
            problems.append(f"... and {len(lines) - limit} more like the above.")

    # 1. Each transaction's postings sum to zero in each currency (so every book and currency does too).
    report(
        f"Transaction {row['transaction_id']} is off by {format_minor(row['total'], row['currency'])}."
        for row in Posting.objects.values("transaction_id", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
        .order_by("transaction_id")
    )
    report(
        f"Book {row['account__book']} is off by {format_minor(row['total'], row['currency'])}."
        for row in Posting.objects.values("account__book", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
        .order_by("account__book", "currency")
    )
    report(
        f"Transaction {t.pk} has {t.legs} posting(s); at least two are needed."
        for t in Transaction.objects.annotate(legs=Count("postings")).filter(legs__lt=2)
    )
    # 2. Postings agree with their account's currency and their transaction's book.
    report(
        f"Posting {p.pk} is in {p.currency} but its account {p.account_id} is not."
        for p in Posting.objects.exclude(currency=F("account__currency"))
    )
    report(
        f"Posting {p.pk} is in another book than its transaction {p.transaction_id}."
        for p in Posting.objects.exclude(transaction__book=F("account__book"))
    )
    # 3. Cached balances equal the sum of postings.
    report(
        f"{a.code}: cached balance {format_minor(a.balance_minor, a.currency)} but postings sum to "
        f"{format_minor(a.total, a.currency)}."
        for a in Account.objects.annotate(total=sum_minor("postings__amount_minor")).exclude(balance_minor=F("total"))
    )
    # 4. Held amounts equal the pending holds, and no no-negative account is overdrawn.
    expected: dict[int, int] = {}
    pending = Hold.objects.filter(status=HoldStatus.PENDING)
    for row in (
        pending.exclude(debit_account__kind__in=DEBIT_NORMAL_KINDS)
        .values("debit_account")
        .annotate(total=Sum("amount_minor"))
    ):
        expected[row["debit_account"]] = expected.get(row["debit_account"], 0) + row["total"]
    for row in (
        pending.filter(credit_account__kind__in=DEBIT_NORMAL_KINDS)
        .values("credit_account")
        .annotate(total=Sum("amount_minor"))
    ):
        expected[row["credit_account"]] = expected.get(row["credit_account"], 0) + row["total"]
    report(
        f"{a.code}: held {format_minor(a.held_minor, a.currency)} but pending holds reserve "
        f"{format_minor(expected.get(a.pk, 0), a.currency)}."
        for a in Account.objects.filter(Q(pk__in=list(expected)) | ~Q(held_minor=0))
        if a.held_minor != expected.get(a.pk, 0)
    )
    overdrawn = Account.objects.filter(no_negative=True).filter(
        Q(kind__in=DEBIT_NORMAL_KINDS, balance_minor__lt=F("held_minor"))
        | (~Q(kind__in=DEBIT_NORMAL_KINDS) & Q(balance_minor__gt=-F("held_minor")))
    )
    report(
        f"{a.code} may not go negative but has {format_minor(a.natural_balance_minor, a.currency)} with "
        f"{format_minor(a.held_minor, a.currency)} held."
        for a in overdrawn
    )
    # 5. Holds are in a consistent state.
    report(f"Hold {h.pk} is pending but has a settlement." for h in pending.exclude(settlement=None))
    report(
        f"Hold {h.pk} is settled without a settlement transaction."
        for h in Hold.objects.filter(status=HoldStatus.SETTLED, settlement=None)
    )
    report(
        f"Hold {h.pk} is voided but has a settlement."
        for h in Hold.objects.filter(status=HoldStatus.VOIDED).exclude(settlement=None)
    )
    report(
        f"Hold {h.pk} settled for more than it held."
        for h in Hold.objects.filter(status=HoldStatus.SETTLED)
        .annotate(moved=Sum("settlement__postings__amount_minor", filter=Q(settlement__postings__amount_minor__gt=0)))
        .filter(moved__gt=F("amount_minor"))
    )
    return problems
