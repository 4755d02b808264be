"""What a conversation can be about: a proposal, an offer, a contract, or a job with one freelancer. The apps
above messaging (marketplace, contracts) register in AppConfig.ready how to find one by the id that a
"Message" button posts, so messaging imports neither of them (.importlinter) while they call messaging."""

from collections.abc import Callable

from common.registry import Registry

# kind -> find(*, pk, user): the subject with that id that `user` may talk about, or None.
_FINDERS: Registry[Callable] = Registry("conversation subjects")

# A form names one subject; were it to name several, the first of these is the one.
PRECEDENCE = ("proposal", "offer", "contract", "job")


def register(kind: str, find: Callable) -> None:
    if kind not in PRECEDENCE:
        raise ValueError(f"messaging cannot start a conversation about a {kind!r}")
    _FINDERS.register(find, key=kind)


def known(kind: str) -> bool:
    return kind in _FINDERS


def find(kind: str, *, pk: int, user):
    return _FINDERS[kind](pk=pk, user=user)
