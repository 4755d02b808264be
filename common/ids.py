"""Ids that come from the outside (a query string, a form's checkbox) are checked here before any query.

A primary key is a 64-bit integer: SQLite refuses a bigger Python int with an OverflowError (a 500) rather
than finding nothing, so anything that is not plain ASCII digits within that range is not an id at all.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup

MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id in `value`, or None when it is not one (empty, not ASCII digits, zero or out of range)."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class AmongIds(Lookup):
    """`AmongIds(F("pk"), ids)`: the row's id is one of `ids`. On PostgreSQL `= ANY(array)`, one parameter however
    many ids: an IN list of a thousand placeholders costs more to build and parse than the query takes to run.
    An IN list elsewhere."""

    lookup_name = "among_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if not ids:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, ids]
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*params, *ids]
