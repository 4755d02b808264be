"""What the tax app says beside the books' rows: the rule that applies to an income entry (s.154A, s.153),
and what a remittance may keep in foreign currency (SBP's retention rule). Those rules are the tax app's,
and tax builds on the books, so tax registers its answers here in AppConfig.ready and the books pages ask;
books imports nothing from tax (.importlinter)."""

from collections.abc import Callable

from common.registry import Registry

# "income_rule": (user) -> (entry -> rule or None); "with_retention": (remittances) -> the same, each with `may_retain`
_NOTES: Registry[Callable] = Registry("tax notes")


def register(*, income_rule: Callable, with_retention: Callable) -> None:
    _NOTES.register(income_rule, key="income_rule")
    _NOTES.register(with_retention, key="with_retention")


def income_rule_for(user) -> Callable:
    """A function giving the tax rule for one of `user`'s income entries (None without the tax app)."""
    return _NOTES["income_rule"](user) if "income_rule" in _NOTES else (lambda entry: None)


def with_retention(items: list) -> list:
    return _NOTES["with_retention"](items) if "with_retention" in _NOTES else items
