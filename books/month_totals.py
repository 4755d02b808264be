"""Keeps books.models.MonthTotal equal to the entries it sums, in the caller's database transaction.

Every write of an Entry goes through here: `entries_insert` for new entries (projection, services, imports) and
`entries_changed` when an entry without a rate gets its PKR value or an expense moves to another category.
Totals are changed with one upsert per month and group (INSERT ... ON CONFLICT DO UPDATE adding to the row), in
key order, so concurrent writers for one freelancer neither lose an addition nor deadlock.
"""

from collections.abc import Iterable

from django.db import connection

from books.models import Entry, MonthTotal, PkrBasis
from common import fragments

KEY = ("user_id", "month", "kind", "currency", "source", "category", "client")
SUMS = ("entries", "amount_minor", "pkr_minor", "withheld_minor", "missing")


def _key(entry: Entry) -> tuple:
    return (
        entry.user_id,
        entry.occurred_on.replace(day=1),
        entry.kind,
        entry.currency,
        entry.source,
        entry.category,
        entry.client,
    )


def _contribution(entry: Entry) -> tuple[int, int, int, int, int]:
    return (
        1,
        entry.amount_minor,
        entry.pkr_minor or 0,
        entry.tax_withheld_minor,
        1 if entry.pkr_basis == PkrBasis.MISSING else 0,
    )


def _add(changes: dict[tuple, list[int]]) -> None:
    fragments.changed_users({key[0] for key in changes})  # the user's books and tax pages are stale
    rows = [key + tuple(sums) for key, sums in sorted(changes.items()) if any(sums)]
    if not rows:
        return
    table = connection.ops.quote_name(MonthTotal._meta.db_table)
    columns = ", ".join(KEY + SUMS)
    placeholders = ", ".join(["%s"] * (len(KEY) + len(SUMS)))
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in SUMS)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - names are ours
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def month_totals_add(entries: Iterable[Entry], *, sign: int = 1) -> None:
    """Add (sign 1) or take away (sign -1) these entries' contributions to their months' totals."""
    changes: dict[tuple, list[int]] = {}
    for entry in entries:
        sums = changes.setdefault(_key(entry), [0] * len(SUMS))
        for i, value in enumerate(_contribution(entry)):
            sums[i] += sign * value
    _add(changes)


def entries_insert(entries: list[Entry], *, batch_size: int | None = None) -> list[Entry]:
    """Write new entries and add them to their months' totals."""
    created = Entry.objects.bulk_create(entries, batch_size=batch_size)
    month_totals_add(created)
    return created


def entry_insert(**fields) -> Entry:
    return entries_insert([Entry(**fields)])[0]


def entries_changed(before: list[Entry], after: list[Entry]) -> None:
    """After entries changed (a PKR value priced, a category corrected; before: copies as they were), move the
    totals by the difference."""
    changes: dict[tuple, list[int]] = {}
    for entries, sign in ((before, -1), (after, 1)):
        for entry in entries:
            sums = changes.setdefault(_key(entry), [0] * len(SUMS))
            for i, value in enumerate(_contribution(entry)):
                sums[i] += sign * value
    _add(changes)


entries_repriced = entries_changed
