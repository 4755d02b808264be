"""Dispute pages: the dispute room and the mediator's decision; delivery and evidence files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.decorators import staff_required
from contracts import selectors, services
from contracts.errors import ContractError
from contracts.forms import (
    DecideForm,
    EvidenceForm,
)
from contracts.models import Delivery, Dispute, Evidence
from contracts.views._common import _file_response, _run


def _dispute_for(request, pk) -> Dispute:
    dispute = get_object_or_404(
        Dispute.objects.select_related("contract", "milestone", "week", "opened_by", "decided_by"), pk=pk
    )
    if not (dispute.contract.is_party(request.user) or request.user.is_staff):
        raise Http404
    return dispute


@login_required
def dispute_detail(request, pk):
    dispute = _dispute_for(request, pk)
    evidence_form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and evidence_form.is_valid():
        try:
            services.evidence_add(
                dispute=dispute,
                user=request.user,
                text=evidence_form.cleaned_data["text"],
                file=evidence_form.cleaned_data["file"],
            )
        except ContractError as error:
            evidence_form.add_error(None, str(error))
        else:
            messages.success(request, _("Evidence added."))
            return redirect("contracts:dispute_detail", pk=dispute.pk)
    return render(
        request,
        "contracts/dispute_detail.html",
        {
            "dispute": dispute,
            "outcome": selectors.dispute_outcome(dispute, dispute.contract.currency),
            "contract": dispute.contract,
            "evidence": dispute.evidence.select_related("author"),
            "evidence_form": evidence_form,
            "decide_form": DecideForm(currency=dispute.contract.currency) if request.user.is_staff else None,
        },
    )


@staff_required
@require_POST
def dispute_decide(request, pk):
    dispute = _dispute_for(request, pk)
    form = DecideForm(request.POST, currency=dispute.contract.currency)
    if (
        form.is_valid()
        and form.cleaned_data["to_freelancer"] is not None
        and form.cleaned_data["to_client"] is not None
    ):
        data = form.cleaned_data
        _run(
            request,
            lambda: services.dispute_decide(
                dispute=dispute,
                staff=request.user,
                to_freelancer=data["to_freelancer"],
                to_client=data["to_client"],
                decision=data["decision"],
            ),
            _("Decision recorded and the money moved."),
        )
    else:
        messages.error(request, _("Enter both amounts and the reason."))
    return redirect("contracts:dispute_detail", pk=dispute.pk)


@login_required
def delivery_file(request, pk):
    delivery = get_object_or_404(Delivery.objects.select_related("milestone__contract"), pk=pk)
    if not (delivery.milestone.contract.is_party(request.user) or request.user.is_staff):
        raise Http404
    return _file_response(delivery, delivery.file_name)


@login_required
def evidence_file(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("dispute__contract"), pk=pk)
    if not (evidence.dispute.contract.is_party(request.user) or request.user.is_staff):
        raise Http404
    return _file_response(evidence, evidence.file_name)
