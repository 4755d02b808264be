"""What a transaction's reference ("milestone:11") means to a person: the apps that write references say,
in AppConfig.ready, how to name and link each prefix; the ledger knows no business app (DECISIONS 24)."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from common.registry import Registry


@dataclass(frozen=True)
class Link:
    label: str
    url: str


# prefix -> resolver(ids) -> {id: Link}; one query per prefix for a whole page of rows.
_RESOLVERS: Registry[Callable[[list[int]], dict[int, Link]]] = Registry("reference links")


def register_reference(prefix: str, resolver: Callable[[list[int]], dict[int, Link]]) -> None:
    _RESOLVERS.register(resolver, key=prefix)


def links_for(references: Iterable[str]) -> dict[str, Link]:
    """{reference: Link} for every reference some app can name; others are left out."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for reference in set(references):
        prefix, _sep, tail = (reference or "").partition(":")
        if prefix in _RESOLVERS and tail.isdigit():
            wanted[prefix].append(int(tail))
    links = {}
    for prefix, ids in wanted.items():
        for pk, link in _RESOLVERS[prefix](sorted(ids)).items():
            links[f"{prefix}:{pk}"] = link
    return links
