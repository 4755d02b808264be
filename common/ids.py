"""Ids that come from the outside (a query string, a form's checkbox) are checked here before any query.

A primary key is a 64-bit integer: SQLite refuses a bigger Python int with an OverflowError (a 500) rather
than finding nothing, so anything that is not plain ASCII digits within that range is not an id at all.
"""

MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id in `value`, or None when it is not one (empty, not ASCII digits, zero or out of range)."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
