"""What makes a user's cached personal parts (common.fragments) stale, beyond the services that say so:
every write request the user makes, and every ledger posting to an account the user owns."""

from common import fragments
from contracts.services import contract_group
from ledger import chart

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class FreshPartsMiddleware:
    """After a write request, the writer's personal parts are stale (a staff member's: everyone's, since staff
    change other people's things). Runs for refused writes too: cheaper than knowing what a view wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # set by a DRF token too, once its view ran
        if request.method not in SAFE_METHODS and user is not None and user.is_authenticated:
            fragments.changed("people") if user.is_staff else fragments.changed_users([user.pk])
        return response


def _contract(account) -> str | None:
    """The contract room an escrow account's movements show in."""
    ref = account.owner_ref or ""
    return contract_group(int(ref.split(":")[1])) if ref.startswith("contract:") and ref[9:].isdigit() else None


def owners_wanted(legs, kind: str) -> bool:
    return any(chart.person_id(account) or _contract(account) for account, _minor in legs)


def postings_made_parts_stale(posted) -> None:
    """A ledger projector (no transaction needed): the owners of the touched accounts see new balances, and
    the parties of a contract whose escrow moved see its room afresh."""
    legs = [account for item in posted for account, _minor in item.legs]
    fragments.changed_users({chart.person_id(account) for account in legs})
    rooms = sorted({group for group in map(_contract, legs) if group})
    if rooms:
        fragments.changed(*rooms)
