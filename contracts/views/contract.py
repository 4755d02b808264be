"""Contract pages: the list, a new contract and its invitation, the contract room, accepting, changing
terms, and ending or cancelling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from common import fragments
from common.throttles import throttle
from contracts import selectors, services
from contracts.errors import ContractError
from contracts.forms import (
    ContractForm,
    TermsForm,
)
from contracts.models import Contract, ContractState, ContractVersion
from contracts.terms import percent
from contracts.views._common import _contract_for, _party_or_404, _room, _run


@login_required
def contract_list(request):
    return render(request, "contracts/contract_list.html", {"contracts": selectors.contracts_for(request.user)})


@login_required
@throttle("invitation")
def contract_new(request):
    form = ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        client = User.objects.filter(email__iexact=data["client_email"]).first()
        try:
            contract = services.contract_create(
                freelancer=request.user,
                client=client,
                client_email=data["client_email"],
                title=data["title"],
                kind=data["kind"],
                currency=data["currency"],
                milestones=data["milestones"],
                hourly_rate=data["hourly_rate"],
                weekly_hour_cap=data.get("weekly_hour_cap"),
                review_window_days=data["review_window_days"],
                penalty_pct_per_week=data["penalty_pct_per_week"],
                penalty_cap_pct=data["penalty_cap_pct"],
                cancellation_terms=data["cancellation_terms"],
            )
        except ContractError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Contract sent to %(email)s for acceptance.") % {"email": contract.client_email}
            )
            return redirect(_room(contract))
    return render(request, "contracts/contract_form.html", {"form": form})


def _invitee(request, contract) -> bool:
    """The signed-in user is the (not yet linked) client this contract was sent to by e-mail."""
    return (
        contract.state == ContractState.PROPOSED
        and contract.client_id is None
        and bool(contract.invite_token)
        and contract.client_email.lower() == request.user.email.lower()
    )


@login_required
def contract_detail(request, pk):
    """The contract room. Whenever it is built, one query reads the contract for the invitation and party
    checks alike; a kept room is its own user's (fragments keys personal pages by user), renewed by every
    contract event (parties change only through one) and by staff writes ("people": staff rights taken away),
    so a kept room is served without a query."""

    def context():
        contract = get_object_or_404(Contract.objects.select_related("client", "freelancer"), pk=pk)
        if _invitee(request, contract):
            raise fragments.Answer(redirect("contracts:contract_invite", token=contract.invite_token))
        _party_or_404(request, contract)
        return selectors.contract_room(contract, request.user)

    return fragments.render_with_part(
        request, "contracts/contract_detail.html", "contracts/_contract_room.html", context,
        groups=(services.contract_group(pk),), per_user=True,
    )  # fmt: skip


@login_required
@require_POST
def contract_accept(request, pk):
    contract = _contract_for(request, pk)
    _run(request, lambda: services.contract_accept(contract=contract, client=request.user), _("Contract accepted."))
    return redirect(_room(contract))


def contract_invite(request, token):
    contract = get_object_or_404(Contract, invite_token=token, state=ContractState.PROPOSED)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_signup')}?next={request.path}")
        if _run(
            request,
            lambda: services.contract_accept(contract=contract, client=request.user, token=token),
            _("Contract accepted. Fund the first milestone to start the work."),
        ):
            return redirect(_room(contract))
    return render(
        request,
        "contracts/contract_invite.html",
        {"contract": contract, "version": contract.versions.first(), "milestones": contract.milestones.all()},
    )


@login_required
def terms_change(request, pk):
    contract = _contract_for(request, pk)
    initial = {
        "review_window_days": contract.review_window_days,
        "penalty_pct_per_week": percent(contract.penalty_bp_per_week),
        "penalty_cap_pct": percent(contract.penalty_cap_bp),
        "cancellation_terms": contract.cancellation_terms,
        "hourly_rate": contract.hourly_rate,
        "weekly_hour_cap": contract.weekly_hour_cap,
    }
    form = TermsForm(request.POST or None, initial=initial, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.terms_propose(
                contract=contract,
                user=request.user,
                review_window_days=data["review_window_days"],
                penalty_pct_per_week=data["penalty_pct_per_week"],
                penalty_cap_pct=data["penalty_cap_pct"],
                cancellation_terms=data["cancellation_terms"],
                hourly_rate=data.get("hourly_rate"),
                weekly_hour_cap=data.get("weekly_hour_cap"),
                new_milestones=data["new_milestones"],
            )
        except ContractError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("New terms proposed. They apply once the other side accepts them."))
            return redirect(_room(contract))
    return render(request, "contracts/terms_form.html", {"form": form, "contract": contract})


@login_required
@require_POST
def terms_accept(request, pk, version_id):
    contract = _contract_for(request, pk)
    version = get_object_or_404(ContractVersion, pk=version_id, contract=contract)
    _run(request, lambda: services.terms_accept(version=version, user=request.user), _("New terms accepted."))
    return redirect(_room(contract))


@login_required
@require_POST
def contract_action(request, pk, action):
    contract = _contract_for(request, pk)
    if action == "cancel":
        key = request.POST.get("idempotency_key") or request.headers.get("Idempotency-Key", "")
        _run(
            request,
            lambda: services.contract_cancel(contract=contract, user=request.user, idempotency_key=key),
            _("Contract cancelled; funded milestones went back to the client."),
        )
    elif action == "end":
        _run(request, lambda: services.contract_end(contract=contract, user=request.user), _("Contract ended."))
    else:
        raise Http404
    return redirect(_room(contract))
