"""The one helper that changes a model's state. Every stateful model has a table of allowed moves beside it
(`MILESTONE_TRANSITIONS`, `INVOICE_TRANSITIONS`, …); services call `move` and never assign `.state`
themselves (web/tests/test_structure.py fails if anything else does)."""

from collections.abc import Callable, Mapping


def move(
    obj,
    to_state: str,
    table: Mapping[str, set[str]],
    refuse: Callable[[str, str], Exception],
    *,
    current: str | None = None,
) -> None:
    """Set `obj.state` to `to_state` if `table` allows it from the current state (`current` when the stored
    state is not the whole truth, e.g. a week the calendar has put in review); otherwise raise what
    `refuse(current, to_state)` builds (a domain error with a message the user can read)."""
    current = obj.state if current is None else current
    if to_state not in table.get(current, set()):
        raise refuse(current, to_state)
    obj.state = to_state
