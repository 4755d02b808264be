"""Fixed-price pages: funding a milestone or a retainer, the pay-in, delivering, and the client's approve,
changes and refund actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.confirm import confirmation_page, confirmed
from contracts import services
from contracts.errors import ContractError
from contracts.forms import (
    DisputeForm,
    FundForm,
    NoteForm,
    RetainerForm,
    SubmitForm,
)
from contracts.models import Dispute, PayIn
from contracts.terms import basis_points_of
from contracts.views._common import _contract_for, _milestone_for, _room, _run
from ledger.money import MoneyError, format_money, from_minor, parse_amount


@login_required
@require_POST
def milestone_fund(request, pk):
    milestone = _milestone_for(request, pk)
    form = FundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to pay."))
        return redirect(_room(milestone.contract))
    payin = _run(
        request,
        lambda: services.milestone_fund(
            milestone=milestone,
            client=request.user,
            provider=form.cleaned_data["provider"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        ),
        _("Payment started."),
    )
    if isinstance(payin, PayIn) and payin.state == "pending":
        return redirect("contracts:payin_detail", pk=payin.pk)
    return redirect(_room(milestone.contract))


@login_required
@require_POST
def retainer_fund(request, pk):
    contract = _contract_for(request, pk)
    form = RetainerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter an amount and how to pay."))
        return redirect(_room(contract))
    try:
        amount = parse_amount(form.cleaned_data["amount"], contract.currency)
    except MoneyError as error:
        messages.error(request, str(error))
        return redirect(_room(contract))
    payin = _run(
        request,
        lambda: services.retainer_fund(
            contract=contract,
            client=request.user,
            amount=amount,
            provider=form.cleaned_data["provider"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        ),
        _("Payment started."),
    )
    if isinstance(payin, PayIn) and payin.state == "pending":
        return redirect("contracts:payin_detail", pk=payin.pk)
    return redirect(_room(contract))


@login_required
def payin_detail(request, pk):
    payin = get_object_or_404(PayIn.objects.select_related("contract", "milestone"), pk=pk)
    if payin.client_id != request.user.pk and not request.user.is_staff:
        raise Http404
    from django.conf import settings

    return render(request, "contracts/payin_detail.html", {"payin": payin, "bank": settings.KAMAI_BANK_DETAILS})


@login_required
def milestone_submit(request, pk):
    milestone = _milestone_for(request, pk)
    form = SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_submit(
                milestone=milestone,
                freelancer=request.user,
                message=form.cleaned_data["message"],
                file=form.cleaned_data["file"],
            )
        except ContractError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Delivered. The client has been asked to review it."))
            return redirect(_room(milestone.contract))
    return render(request, "contracts/milestone_submit.html", {"form": form, "milestone": milestone})


def _confirm_milestone_action(request, milestone, action):
    """The page between the click and the money: what moves, to whom, and Kamai's fee."""
    contract = milestone.contract
    currency = contract.currency
    gross = from_minor(milestone.escrow_minor, currency)
    lang = get_language() or "en"
    if action == "approve":
        fee_minor = basis_points_of(milestone.amount_minor, contract.platform_fee_bp)
        names = {
            "amount": format_money(gross, currency, lang),
            "who": contract.freelancer.name,
            "title": milestone.title,
            "fee": format_money(from_minor(fee_minor, currency), currency, lang),
            "net": format_money(from_minor(milestone.escrow_minor - fee_minor, currency), currency, lang),
        }
        return confirmation_page(
            request,
            title=_("Approve “%(title)s” and release the money?") % names,
            effects=[
                _("Release %(amount)s from escrow to %(who)s.") % names,
                _("Kamai's fee: %(fee)s. %(who)s receives %(net)s.") % names,
            ],
            button=_("Release %(amount)s") % names,
            back=_room(contract),
        )
    client_name = contract.client.name if contract.client else contract.client_email
    names = {"amount": format_money(gross, currency, lang), "who": client_name, "title": milestone.title}
    return confirmation_page(
        request,
        title=_("Refund “%(title)s” to the client?") % names,
        effects=[
            _("Return %(amount)s from escrow to %(who)s.") % names,
            _("You will not be paid for this milestone."),
        ],
        button=_("Refund %(amount)s") % names,
        back=_room(contract),
    )


@login_required
@require_POST
def milestone_action(request, pk, action):
    milestone = _milestone_for(request, pk)
    key = request.POST.get("idempotency_key") or request.headers.get("Idempotency-Key", "")
    if action in ("approve", "refund") and not confirmed(request):
        return _confirm_milestone_action(request, milestone, action)
    if action == "approve":
        _run(
            request,
            lambda: services.milestone_approve(milestone=milestone, client=request.user, idempotency_key=key),
            _("Approved and released to the freelancer."),
        )
    elif action == "refund":
        _run(
            request,
            lambda: services.milestone_refund(milestone=milestone, freelancer=request.user, idempotency_key=key),
            _("Refunded to the client."),
        )
    elif action == "changes":
        form = NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        _run(
            request,
            lambda: services.milestone_request_changes(milestone=milestone, client=request.user, note=note),
            _("Changes requested."),
        )
    elif action == "dispute":
        form = DisputeForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        dispute = _run(
            request,
            lambda: services.dispute_open(
                contract=milestone.contract, user=request.user, milestone=milestone, reason=reason
            ),
            _("Dispute opened. The escrow is frozen until a mediator decides."),
        )
        if isinstance(dispute, Dispute):
            return redirect("contracts:dispute_detail", pk=dispute.pk)
    else:
        raise Http404
    return redirect(_room(milestone.contract))
