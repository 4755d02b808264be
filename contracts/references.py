"""Wallet statement lines name the contract they came from and link to its room (ledger.references)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from contracts.models import Contract
from ledger.references import Link, register_reference


def _contract_link(contract_id: int, title: str) -> Link:
    return Link(_("Contract “%(title)s”") % {"title": title}, reverse("contracts:contract_detail", args=[contract_id]))


def contracts(ids: list[int]) -> dict[int, Link]:

    return {
        pk: _contract_link(pk, title) for pk, title in Contract.objects.filter(pk__in=ids).values_list("pk", "title")
    }


def _through(model_name: str):
    def resolve(ids: list[int]) -> dict[int, Link]:
        from django.apps import apps

        rows = apps.get_model("contracts", model_name).objects.filter(pk__in=ids)
        return {
            pk: _contract_link(cid, title)
            for pk, cid, title in rows.values_list("pk", "contract_id", "contract__title")
        }

    return resolve


def register() -> None:

    register_reference("contract", contracts)
    for prefix, model_name in [
        ("milestone", "Milestone"),
        ("week", "HourlyWeek"),
        ("payin", "PayIn"),
        ("dispute", "Dispute"),
    ]:
        register_reference(prefix, _through(model_name))
