"""The ledger's hot write path in plain SQL, called only by ledger.services under its locks.

Why not the ORM: compiling the queries cost more than the database work (docs/PERFORMANCE.md). On
PostgreSQL every statement takes its rows as a few array parameters (unnest / ANY), so a batch of 500
transfers is still five short statements; elsewhere (SQLite) the same statements use VALUES lists.
Only table names and placeholders are ever interpolated into the SQL text.
"""

import threading
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

from ledger.models import Account, Posting, Transaction

ACCOUNT = Account._meta.db_table
TRANSACTION = Transaction._meta.db_table
POSTING = Posting._meta.db_table
LOCK_FIELDS = ["id", "book", "code", "kind", "currency", "no_negative", "balance_minor", "held_minor"]
TRANSACTION_COLUMNS = [
    "book", "kind", "memo", "reference", "idempotency_key", "fingerprint", "reverses_id", "fx_rate",
    "fx_reference_rate", "exchange_rate_id",
]  # fmt: skip
TRANSACTION_TYPES = ["text", "text", "text", "text", "text", "text", "bigint", "numeric", "numeric", "bigint"]
CHUNK = 500


@cache
def _pg() -> bool:
    """Whether the database is PostgreSQL: fixed for the process, and asked several times a posting."""
    return connection.vendor == "postgresql"


@contextmanager
def _cursor():
    """A cursor for the statements below. On PostgreSQL a psycopg cursor with server-side binding: Django's
    cursor binds on the client, quoting every element of a 50,000-item array into the SQL text in Python
    (a third of a large import's ledger time); here the arrays travel as parameters. Errors are
    Django's (IntegrityError ...) as with any cursor. These statements are never prepared (`_run`'s
    default), so they stay right behind PgBouncer in transaction mode; only `post_one` may prepare."""
    if not _pg():
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def _run(cursor, query: str, params, prepare: bool = False) -> None:
    if _pg():
        cursor.execute(query, params, prepare=prepare)
    else:
        cursor.execute(query, params)


def _ints(values) -> str:
    """A bigint[] parameter as PostgreSQL's array literal: psycopg dumps a list element by element in Python,
    which under the account locks cost a large batch more than the statement itself."""
    return "{" + ",".join("NULL" if v is None else str(int(v)) for v in values) + "}"


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(count: int, row: str = "%s") -> str:
    return ", ".join([row] * count)


def lock_accounts(ids: list[int]) -> list[Account]:
    """SELECT ... FOR UPDATE the accounts in ascending id order (SQLite: its IMMEDIATE transaction already
    holds the write lock, and it has no FOR UPDATE)."""
    fields = ", ".join(LOCK_FIELDS)
    rows = []
    with _cursor() as cursor:
        if _pg():
            _run(
                cursor,
                f"SELECT {fields} FROM {ACCOUNT} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE",  # noqa: S608
                [_ints(ids)],
            )
            rows = cursor.fetchall()
        else:
            for chunk in _chunks(ids, 5000):
                _run(cursor, f"SELECT {fields} FROM {ACCOUNT} WHERE id IN ({_marks(len(chunk))}) ORDER BY id", chunk)  # noqa: S608
                rows += cursor.fetchall()
    return [Account.from_db(connection.alias, LOCK_FIELDS, row) for row in rows]


def move_balances(deltas: list[tuple[int, int, int]]) -> None:
    """Add (balance delta, held delta) to each account: [(id, balance_delta, held_delta), ...]."""
    with _cursor() as cursor:
        if _pg():
            ids, balance, held = (list(column) for column in zip(*deltas, strict=True))
            _run(
                cursor,
                f"UPDATE {ACCOUNT} AS a SET balance_minor = a.balance_minor + v.d, held_minor = a.held_minor + v.h "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, d, h) WHERE a.id = v.id",
                [ids, balance, held],
            )
            return
        for chunk in _chunks(deltas):
            _run(
                cursor,
                f"WITH v(id, d, h) AS (VALUES {_marks(len(chunk), '(%s, CAST(%s AS BIGINT), CAST(%s AS BIGINT))')}) "  # noqa: S608
                f"UPDATE {ACCOUNT} SET balance_minor = {ACCOUNT}.balance_minor + v.d, "
                f"held_minor = {ACCOUNT}.held_minor + v.h FROM v WHERE {ACCOUNT}.id = v.id",
                [x for row in chunk for x in row],
            )


def insert_transactions(rows: list[list], created_at) -> dict[str, int]:
    """INSERT transactions given as value lists in TRANSACTION_COLUMNS order; returns {idempotency_key: id}."""
    at = connection.ops.adapt_datetimefield_value(created_at)
    columns = ", ".join([*TRANSACTION_COLUMNS, "created_at"])
    ids: dict[str, int] = {}
    with _cursor() as cursor:
        if _pg():
            arrays = [list(column) for column in zip(*rows, strict=True)]
            unnest = ", ".join(f"%s::{kind}[]" for kind in TRANSACTION_TYPES)
            _run(
                cursor,
                f"INSERT INTO {TRANSACTION} ({columns}) SELECT *, %s FROM unnest({unnest}) "  # noqa: S608
                "RETURNING idempotency_key, id",
                [at, *arrays],
            )
            return dict(cursor.fetchall())
        width = len(TRANSACTION_COLUMNS) + 1
        for chunk in _chunks(rows):
            _run(
                cursor,
                f"INSERT INTO {TRANSACTION} ({columns}) VALUES {_marks(len(chunk), '(' + _marks(width) + ')')} "  # noqa: S608
                "RETURNING idempotency_key, id",
                [x for row in chunk for x in (*row, at)],
            )
            ids.update(cursor.fetchall())
    return ids


def insert_postings(legs: list[tuple[int, int, int, str]], posted_at) -> None:
    """INSERT postings given as (transaction_id, account_id, amount_minor, currency)."""
    at = connection.ops.adapt_datetimefield_value(posted_at)
    columns = "transaction_id, account_id, amount_minor, currency, posted_at"
    with _cursor() as cursor:
        if _pg():
            arrays = [list(column) for column in zip(*legs, strict=True)]
            _run(
                cursor,
                f"INSERT INTO {POSTING} ({columns}) "  # noqa: S608
                "SELECT *, %s FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[])",
                [at, *arrays],
            )
            return
        for chunk in _chunks(legs, 2000):
            _run(
                cursor,
                f"INSERT INTO {POSTING} ({columns}) VALUES {_marks(len(chunk), '(%s, %s, %s, %s, %s)')}",  # noqa: S608
                [x for leg in chunk for x in (*leg, at)],
            )


def existing_fingerprints(keys: list[str]) -> dict[str, tuple[int, str]]:
    """{idempotency_key: (id, fingerprint)} for the keys already posted."""
    found: dict[str, tuple[int, str]] = {}
    with _cursor() as cursor:
        if _pg():
            _run(
                cursor,
                f"SELECT idempotency_key, id, fingerprint FROM {TRANSACTION} WHERE idempotency_key = ANY(%s)",  # noqa: S608
                [keys],
            )
            rows = cursor.fetchall()
        else:
            rows = []
            for chunk in _chunks(keys, 5000):
                _run(
                    cursor,
                    f"SELECT idempotency_key, id, fingerprint FROM {TRANSACTION} "  # noqa: S608
                    f"WHERE idempotency_key IN ({_marks(len(chunk))})",
                    chunk,
                )
                rows += cursor.fetchall()
    for key, pk, fingerprint in rows:
        found[key] = (pk, fingerprint)
    return found


def write(rows: list[list], legs: list[tuple[str, int, int, str]], deltas: list[tuple[int, int, int]], at) -> dict:
    """Insert transactions (value lists in TRANSACTION_COLUMNS order) and their postings given as
    (idempotency_key, account_id, amount_minor, currency), and move the cached balances by
    [(account_id, balance_delta, held_delta)]. Returns {idempotency_key: transaction id}.

    On PostgreSQL this is one statement (data-modifying CTEs); postings name their transaction by its
    position in the batch, and integer arrays travel as array literals (`_ints`)."""
    if not _pg():
        ids = insert_transactions(rows, at)
        insert_postings([(ids[key], account, amount, currency) for key, account, amount, currency in legs], at)
        if deltas:
            move_balances(deltas)
        return ids
    stamp = connection.ops.adapt_datetimefield_value(at)
    columns = ", ".join([*TRANSACTION_COLUMNS, "created_at"])
    unnest = ", ".join(f"%s::{kind}[]" for kind in TRANSACTION_TYPES)
    transaction_arrays = [
        _ints(column) if kind == "bigint" else list(column)
        for column, kind in zip(zip(*rows, strict=True), TRANSACTION_TYPES, strict=True)
    ]
    position = {row[TRANSACTION_COLUMNS.index("idempotency_key")]: n for n, row in enumerate(rows, 1)}
    leg_arrays = [
        _ints(position[leg[0]] for leg in legs),
        _ints(leg[1] for leg in legs),
        _ints(leg[2] for leg in legs),
        [leg[3] for leg in legs],
    ]
    delta_arrays = [_ints(column) for column in zip(*deltas, strict=True)] if deltas else ["{}", "{}", "{}"]
    with _cursor() as cursor:
        _run(
            cursor,
            f"WITH t AS (INSERT INTO {TRANSACTION} ({columns}) SELECT *, %s FROM unnest({unnest}) "  # noqa: S608
            "RETURNING idempotency_key, id), "
            "k AS (SELECT t.id, t.idempotency_key, i.n FROM t "
            "JOIN unnest(%s::text[]) WITH ORDINALITY AS i(idempotency_key, n) USING (idempotency_key)), "
            f"p AS (INSERT INTO {POSTING} (transaction_id, account_id, amount_minor, currency, posted_at) "
            "SELECT k.id, l.account_id, l.amount_minor, l.currency, %s "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[]) WITH ORDINALITY "
            "AS l(n, account_id, amount_minor, currency, o) "
            "JOIN k ON k.n = l.n ORDER BY l.o), "
            f"u AS (UPDATE {ACCOUNT} AS a SET balance_minor = a.balance_minor + v.d, "
            "held_minor = a.held_minor + v.h "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, d, h) WHERE a.id = v.id) "
            "SELECT idempotency_key, id FROM k",
            [stamp, *transaction_arrays, transaction_arrays[TRANSACTION_COLUMNS.index("idempotency_key")], stamp,
             *leg_arrays, *delta_arrays],
        )  # fmt: skip
        return dict(cursor.fetchall())


POST_ONE = (
    "SELECT * FROM ledger_post_one(%s, %s, %s, %s, %s, %s, %s::bigint, %s::numeric, %s::numeric, %s::bigint, %s, "
    "%s::bigint[], %s::bigint[], %s::text[])"
)


def prepares() -> bool:
    """Whether the single posting runs as a server-side prepared statement (PostgreSQL parses and plans it once
    per connection). Not behind PgBouncer in transaction mode (settings.DB_PGBOUNCER): there consecutive
    statements may reach different server connections, which would not know the prepared name."""
    return not getattr(settings, "DB_PGBOUNCER", False)


def post_one(values: list, legs: list[tuple[int, int, str]], at) -> tuple[str, int | None, str | None]:
    """PostgreSQL only: one transaction (values in TRANSACTION_COLUMNS order, legs as (account_id,
    amount_minor, currency)) through the ledger_post_one function (migration ledger 0004), in one round
    trip. Returns (status, id, info): ("ok", transaction id, None), ("replay", its id, its fingerprint),
    ("insufficient", account id, "<available> <needed>") or ("unknown", None, None).

    The hottest statement in Kamai, so it skips what the other statements pay for: one reused cursor on the
    connection, all three arrays as literals (currencies are checked ISO codes, nothing to quote), and
    prepared on the server unless `prepares()` says no (DECISIONS 34)."""
    accounts, amounts, currencies = zip(*legs, strict=True)
    params = [*values, at, _ints(accounts), _ints(amounts), "{" + ",".join(currencies) + "}"]
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    with db.wrap_database_errors:
        cursor = _hot_cursor(db)
        _run(cursor, POST_ONE, params, prepare=prepares())
        return cursor.fetchone()


def _hot_cursor(db):
    """A server-side-binding psycopg cursor kept, per thread, for the next single posting on the same
    connection (making one costs as much as the rest of the call's Python); a new connection gets a new one."""
    import psycopg

    raw = db.connection
    cursor = getattr(_HOT, "cursor", None)
    if cursor is None or cursor.connection is not raw or cursor.closed:
        cursor = _HOT.cursor = psycopg.Cursor(raw)
        if raw.prepare_threshold is None:
            # Django opens connections with psycopg's preparing off (threshold None), which also ignores an
            # explicit prepare=True. A threshold no statement reaches turns on explicit preparing only: every
            # other statement here says prepare=False, and Django's own cursors bind on the client, never prepared.
            raw.prepare_threshold = _PREPARE_ONLY_WHEN_ASKED
    return cursor


_PREPARE_ONLY_WHEN_ASKED = 2**31 - 1


_HOT = threading.local()


def is_pg() -> bool:
    return _pg()
