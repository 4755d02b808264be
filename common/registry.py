"""How a lower app lets a higher one take part without importing it: the lower app keeps a Registry, the
higher app fills it in AppConfig.ready (once, at start-up), and the lower app calls what it finds. The ledger's
projectors and reference links, the profile listeners, the offer hand-off and the tax notes all work so."""

from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries in the order they were registered. Registered without a key, an entry is kept once however
    often it is registered; with a key (a reference prefix, a kind), a later entry replaces the earlier."""

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[Hashable, T] = {}

    def register(self, entry: T, *, key: Hashable | None = None) -> T:
        """Add `entry` and return it (so a function can be registered with a decorator)."""
        if key is None:
            self._entries.setdefault(entry, entry)
        else:
            self._entries[key] = entry
        return entry

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def __getitem__(self, key: Hashable) -> T:
        return self._entries[key]

    def __repr__(self) -> str:
        return f"<Registry of {self.what}: {len(self)}>"
