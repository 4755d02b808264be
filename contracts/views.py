"""Contract pages. Thin: check who is asking (a stranger gets 404), parse the form, call one service."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.confirm import confirmation_page, confirmed
from common.decorators import staff_required
from common.files import private_file_response
from common.throttles import throttle
from contracts import selectors, services
from contracts.errors import ContractError
from contracts.forms import (
    ConfirmPayInForm,
    ContractForm,
    DecideForm,
    DisputeForm,
    EvidenceForm,
    FundForm,
    NoteForm,
    RetainerForm,
    SubmitForm,
    TermsForm,
    TimeForm,
    WeekTimeForm,
)
from contracts.models import Contract, ContractState, ContractVersion, Delivery, Dispute, Evidence, HourlyWeek, PayIn
from contracts.terms import basis_points_of, percent
from ledger.money import MoneyError, format_money, from_minor, parse_amount


def _contract_for(request, pk) -> Contract:
    contract = get_object_or_404(Contract.objects.select_related("client", "freelancer"), pk=pk)
    if not (contract.is_party(request.user) or request.user.is_staff):
        raise Http404
    return contract


def _milestone_for(request, pk):
    milestone = get_object_or_404(selectors.milestones_with_contract(), pk=pk)
    if not milestone.contract.is_party(request.user):
        raise Http404
    return milestone


def _room(contract) -> str:
    return reverse("contract_detail", args=[contract.pk])


def _run(request, action, success: str):
    """Call a service; show its refusal as a message instead of an error page."""
    try:
        result = action()
    except ContractError as error:
        messages.error(request, str(error))
        return None
    messages.success(request, success)
    return result if result is not None else True


@login_required
def contract_list(request):
    return render(request, "contracts/contract_list.html", {"contracts": selectors.contracts_for(request.user)})


@login_required
@throttle("invitation")
def contract_new(request):
    form = ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        from accounts.models import User

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
    contract = get_object_or_404(Contract, pk=pk)
    if _invitee(request, contract):
        return redirect("contract_invite", token=contract.invite_token)
    contract = _contract_for(request, pk)
    return render(request, "contracts/contract_detail.html", selectors.contract_room(contract, request.user))


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
        return redirect("payin_detail", pk=payin.pk)
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
        return redirect("payin_detail", pk=payin.pk)
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
            return redirect("dispute_detail", pk=dispute.pk)
    else:
        raise Http404
    return redirect(_room(milestone.contract))


@login_required
@require_POST
def time_add(request, pk):
    contract = _contract_for(request, pk)
    form = TimeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_room(contract))
    data = form.cleaned_data
    _run(
        request,
        lambda: services.time_entry_add(
            contract=contract, freelancer=request.user, day=data["day"], hours=data["hours"], memo=data["memo"]
        ),
        _("Time logged."),
    )
    return redirect(_room(contract))


def _week_for(request, pk, *, staff_may_read=False) -> HourlyWeek:
    week = get_object_or_404(HourlyWeek.objects.select_related("contract__client", "contract__freelancer"), pk=pk)
    if not (week.contract.is_party(request.user) or (staff_may_read and request.user.is_staff)):
        raise Http404
    return week


def _week_page(week) -> str:
    return reverse("week_detail", args=[week.pk])


@login_required
def week_detail(request, pk):
    """One week's timesheet, day by day; mediators may read it to decide a dispute about it."""
    week = _week_for(request, pk, staff_may_read=True)
    return render(request, "contracts/week_detail.html", selectors.week_sheet(week, request.user))


@login_required
@require_POST
def week_time(request, pk):
    week = _week_for(request, pk)
    days = [week.week_start + timedelta(days=n) for n in range(7)]
    form = WeekTimeForm(request.POST, days=days)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_week_page(week))
    data = form.cleaned_data
    _run(
        request,
        lambda: services.time_entry_add(
            contract=week.contract, freelancer=request.user, day=data["day"], hours=data["hours"], memo=data["memo"]
        ),
        _("Time logged."),
    )
    return redirect(_week_page(week))


@login_required
@require_POST
def week_submit(request, pk):
    week = _week_for(request, pk)
    _run(
        request,
        lambda: services.week_submit(week=week, freelancer=request.user),
        _("Week sent to the client for review."),
    )
    return redirect(_week_page(week))


def _confirm_week_approve(request, week):
    """The page between the click and the money: what the approval pays, to whom, and Kamai's fee."""
    contract = week.contract
    currency = contract.currency
    lang = get_language() or "en"
    minutes = services.week_minutes(week)
    bill = selectors.week_bill(week, minutes)

    def money(minor):
        return format_money(from_minor(minor, currency), currency, lang)

    names = {
        "start": date_format(week.week_start, "j M Y"),
        "amount": money(bill.owed_minor),
        "hours": selectors.hours_text(minutes),
        "who": contract.freelancer.name,
        "fee": money(bill.fee_minor),
        "net": money(bill.net_minor),
        "paid": money(bill.billed_minor),
        "short": money(bill.shortfall_minor),
    }
    effects = [
        # What moves now: all of it, or what escrow holds when the retainer is short.
        _("Pay %(amount)s from escrow to %(who)s for %(hours)s hours in the week of %(start)s.")
        % {**names, "amount": names["paid"]},
        _("Kamai's fee: %(fee)s. %(who)s receives %(net)s.") % names,
    ]
    if bill.shortfall_minor:
        effects.append(_("Escrow holds only %(paid)s: %(short)s stays unpaid until you add to the retainer.") % names)
    effects.append(_("The week is closed: no more time can be logged on it, and it cannot be disputed."))
    return confirmation_page(
        request,
        title=_("Approve the week of %(start)s and pay %(amount)s?") % names,
        effects=effects,
        button=_("Approve and pay %(amount)s") % names,
        back=_week_page(week),
    )


@login_required
@require_POST
def week_approve(request, pk):
    week = _week_for(request, pk)
    if not confirmed(request) and request.user.pk == week.contract.client_id:
        return _confirm_week_approve(request, week)
    key = request.POST.get("idempotency_key") or request.headers.get("Idempotency-Key", "")
    _run(
        request,
        lambda: services.week_approve(week=week, client=request.user, idempotency_key=key),
        _("Week approved and paid to the freelancer."),
    )
    return redirect(_week_page(week))


@login_required
@require_POST
def week_dispute(request, pk):
    week = _week_for(request, pk)
    form = DisputeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    dispute = _run(
        request,
        lambda: services.dispute_open(contract=week.contract, user=request.user, week=week, reason=reason),
        _("Dispute opened. The week will not be billed until a mediator decides."),
    )
    if isinstance(dispute, Dispute):
        return redirect("dispute_detail", pk=dispute.pk)
    return redirect(_week_page(week))


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
            return redirect("dispute_detail", pk=dispute.pk)
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
    return redirect("dispute_detail", pk=dispute.pk)


def _file_response(record, filename):
    return private_file_response(record.file, filename=filename, content_type=record.file_type)


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


@staff_required
def staff_queue(request):
    return render(
        request,
        "contracts/staff_queue.html",
        {"payins": selectors.pending_payins(), "disputes": selectors.open_disputes(), "form": ConfirmPayInForm()},
    )


@staff_required
@require_POST
def payin_confirm(request, pk):
    payin = get_object_or_404(PayIn, pk=pk)
    form = ConfirmPayInForm(request.POST, currency=payin.currency)
    if not form.is_valid():
        messages.error(request, "; ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("staff_queue")
    data = form.cleaned_data
    _run(
        request,
        lambda: services.payin_confirm(
            payin=payin, staff=request.user, bank_reference=data["bank_reference"], received=data["received"]
        ),
        _("Transfer confirmed and posted."),
    )
    return redirect("staff_queue")
