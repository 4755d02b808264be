"""Hourly pages: adding time, the week page, submitting, approving and disputing a week."""

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
from contracts import selectors, services
from contracts.forms import (
    DisputeForm,
    TimeForm,
    WeekTimeForm,
)
from contracts.models import Dispute, HourlyWeek
from contracts.views._common import _contract_for, _room, _run
from ledger.money import format_money, from_minor


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
    return reverse("contracts:week_detail", args=[week.pk])


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
        return redirect("contracts:dispute_detail", pk=dispute.pk)
    return redirect(_week_page(week))
