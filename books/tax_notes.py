"""What the tax app says beside the books' rows: the rule that applies to an income entry (s.154A, s.153),
and what a remittance may keep in foreign currency (SBP's retention rule). Those rules are the tax app's,
and tax builds on the books, so tax registers its answers here in AppConfig.ready and the books pages ask;
books imports nothing from tax (.importlinter)."""

from collections.abc import Callable

_income_rule: Callable | None = None  # (user) -> (entry -> rule or None)
_with_retention: Callable | None = None  # (remittances) -> the same, each with `may_retain`


def register(*, income_rule: Callable, with_retention: Callable) -> None:
    global _income_rule, _with_retention  # noqa: PLW0603 -- set once, at start-up
    _income_rule, _with_retention = income_rule, with_retention


def income_rule_for(user) -> Callable:
    """A function giving the tax rule for one of `user`'s income entries (None without the tax app)."""
    return _income_rule(user) if _income_rule else (lambda entry: None)


def with_retention(items: list) -> list:
    return _with_retention(items) if _with_retention else items
