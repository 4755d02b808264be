"""What every contract page shares: finding what the asker may see (404 for a stranger) and running a service
with its refusal shown as a message."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from common.files import private_file_response
from contracts import selectors
from contracts.errors import ContractError
from contracts.models import Contract


def _contract_for(request, pk) -> Contract:
    return _party_or_404(request, get_object_or_404(Contract.objects.select_related("client", "freelancer"), pk=pk))


def _party_or_404(request, contract: Contract) -> Contract:
    if not (contract.is_party(request.user) or request.user.is_staff):
        raise Http404
    return contract


def _milestone_for(request, pk):
    milestone = get_object_or_404(selectors.milestones_with_contract(), pk=pk)
    if not milestone.contract.is_party(request.user):
        raise Http404
    return milestone


def _room(contract) -> str:
    return reverse("contracts:contract_detail", args=[contract.pk])


def _run(request, action, success: str):
    """Call a service; show its refusal as a message instead of an error page."""
    try:
        result = action()
    except ContractError as error:
        messages.error(request, str(error))
        return None
    messages.success(request, success)
    return result if result is not None else True


def _file_response(record, filename):
    return private_file_response(record.file, filename=filename, content_type=record.file_type)
