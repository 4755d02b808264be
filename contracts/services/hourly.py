"""The hourly flow: time entries, weekly review and billing the approved week from escrow."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.states import move
from contracts.errors import ContractError, InvalidTransition
from contracts.models import (
    WEEK_TRANSITIONS,
    Contract,
    ContractKind,
    HourlyWeek,
    TimeEntry,
    WeekState,
    hourly_review_days,
)
from contracts.services._common import (
    _claim_key,
    _event,
    _notify,
    _release_legs,
    _require_active,
    _require_client,
    _require_freelancer,
)
from contracts.services.fixed_price import escrow_balance_minor
from contracts.terms import week_amount_minor
from ledger import chart
from ledger.money import format_minor
from ledger.services import (
    post_transaction,
)


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_minutes(week: HourlyWeek) -> int:
    return sum(entry.minutes for entry in week.entries.all())


def _locked_week(week_id: int) -> HourlyWeek:
    """Lock the week's contract, then the week: the order time_entry_add and dispute_open take too, so an
    approval, the scheduled billing and a time entry on one contract queue up instead of deadlocking."""
    contract_id = HourlyWeek.objects.values_list("contract_id", flat=True).get(pk=week_id)
    contract = Contract.objects.select_for_update().get(pk=contract_id)
    week = HourlyWeek.objects.select_for_update().get(pk=week_id)
    week.contract = contract
    return week


def _week_action(to_state: str) -> str:
    return {
        WeekState.IN_REVIEW: _("sent for review"),
        WeekState.APPROVED: _("approved"),
        WeekState.BILLED: _("billed"),
        WeekState.DISPUTED: _("disputed"),
        WeekState.RESOLVED: _("decided"),
    }.get(to_state, str(to_state))


def _move_week(week: HourlyWeek, to_state: str, *, today: date | None = None) -> None:
    """The one place a week changes state: a move in WEEK_TRANSITIONS from the state the calendar gives it
    (an open week is in review once its Sunday has passed), or a refusal the user can read."""

    def refuse(current, to):
        return InvalidTransition(
            _("This week is %(state)s, so it cannot be %(action)s.")
            % {"state": WeekState(current).label.lower(), "action": _week_action(to)}
        )

    move(week, to_state, WEEK_TRANSITIONS, refuse, current=week.state_on(today or timezone.localdate()))


@transaction.atomic
def time_entry_add(*, contract: Contract, freelancer, day: date, hours: Decimal, memo: str) -> TimeEntry:
    """Log time on an hourly contract, within the weekly cap, for a day of a week still open for logging
    (until its Sunday, and not yet sent for review). Moves no money."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _require_freelancer(contract, freelancer)
    _require_active(contract)
    if contract.kind != ContractKind.HOURLY:
        raise ContractError(_("Time is logged on hourly contracts only."))
    today = timezone.localdate()
    if day > today:
        raise ContractError(_("You cannot log time in the future."))
    if not memo.strip():
        raise ContractError(_("Say what you worked on."))
    minutes = int(hours * 60)
    if hours <= 0 or hours > 24 or Decimal(minutes) != hours * 60:
        raise ContractError(_("Enter hours between 0 and 24, in whole minutes (e.g. 1.5 or 0.25)."))
    week, _created = HourlyWeek.objects.get_or_create(contract=contract, week_start=week_start_of(day))
    week = HourlyWeek.objects.select_for_update().get(pk=week.pk)
    if week.state_on(today) != WeekState.OPEN:
        raise ContractError(_("That week is closed for logging."))
    if week_minutes(week) + minutes > contract.weekly_hour_cap * 60:
        raise ContractError(_("That goes over the weekly cap of %(cap)d hours.") % {"cap": contract.weekly_hour_cap})
    entry = TimeEntry.objects.create(week=week, date=day, minutes=minutes, memo=memo.strip())
    _event(
        contract, freelancer, "time_logged", lambda: _("%(hours)s h logged for %(day)s.") % {"hours": hours, "day": day}
    )
    return entry


@transaction.atomic
def week_submit(*, week: HourlyWeek, freelancer) -> HourlyWeek:
    """The freelancer sends a week for the client's review before its Sunday: logging closes and the client
    may approve it at once. Moves no money; the review window still ends KAMAI_HOURLY_REVIEW_DAYS after Sunday."""
    week = _locked_week(week.pk)
    contract = week.contract
    _require_freelancer(contract, freelancer)
    _require_active(contract)
    if not week.entries.exists():
        raise ContractError(_("Log some time before you send the week for review."))
    _move_week(week, WeekState.IN_REVIEW)
    week.submitted_at = timezone.now()
    week.save(update_fields=["state", "submitted_at"])

    def message() -> str:
        return _("Week of %(start)s sent for the client's review.") % {"start": week.week_start}

    _event(contract, freelancer, "week_submitted", message)
    _notify(contract, _("A week of hours is ready for your review"), message(), to_freelancer=False)
    return week


@transaction.atomic
def week_approve(*, week: HourlyWeek, client, idempotency_key: str) -> HourlyWeek:
    """The client approves a week in review: it is billed at once, escrow to the freelancer's wallet less the
    platform fee (what escrow cannot cover is recorded as the shortfall). Same ledger key and row lock as the
    scheduled billing, so approval and the job never bill a week twice."""
    week = _locked_week(week.pk)
    _require_client(week.contract, client)
    _require_active(week.contract)
    if not _claim_key(idempotency_key, user=client, action="week_approve", object_id=week.pk):
        return week
    _move_week(week, WeekState.APPROVED)
    week.approved_at = timezone.now()
    _bill_week(week, client)
    return week


def _bill_week(week: HourlyWeek, actor, *, today: date | None = None) -> None:
    """Bill a locked week in review (by the job) or just approved: escrow +billed · wallet −(billed − fee) ·
    fees −fee, where billed is what is owed or, if escrow holds less, all of escrow."""
    contract = week.contract
    approved = week.state == WeekState.APPROVED
    _move_week(week, WeekState.BILLED, today=today)
    owed = week_amount_minor(contract, week_minutes(week))
    available = escrow_balance_minor(contract)
    billed = min(owed, max(available, 0))
    if billed:
        post_transaction(
            _release_legs(contract, gross_minor=billed, fee_base_minor=billed),
            idempotency_key=f"week:{week.pk}:bill",
            kind=chart.TxnKind.HOURLY_BILL,
            memo=f"Week of {week.week_start} on “{contract.title}”" + ("" if approved else " (automatic)"),
            reference=f"week:{week.pk}",
        )
    week.billed_minor = billed
    week.shortfall_minor = owed - billed
    week.billed_at = timezone.now()
    week.save(update_fields=["state", "approved_at", "billed_minor", "shortfall_minor", "billed_at"])

    def message() -> str:
        names = {"start": week.week_start, "amount": format_minor(billed, contract.currency)}
        if approved:
            text = _("Week of %(start)s approved by the client and billed: %(amount)s.") % names
        else:
            text = _("Week of %(start)s billed: %(amount)s.") % names
        if week.shortfall_minor:
            text += " " + _("%(short)s could not be paid: the retainer was empty.") % {
                "short": format_minor(week.shortfall_minor, contract.currency)
            }
        return text

    _event(contract, actor, "week_billed", message)
    _notify(contract, _("Hourly week billed"), message())


def hourly_bill_due(*, today: date | None = None) -> int:
    """Bill every week not approved or disputed whose review window (KAMAI_HOURLY_REVIEW_DAYS after Sunday)
    has passed, each in its own locked transaction; a rerun, or a client approving at the same moment, bills
    nothing twice."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=6 + hourly_review_days())
    waiting = [WeekState.OPEN, WeekState.IN_REVIEW]
    billed = 0
    for pk in list(HourlyWeek.objects.filter(state__in=waiting, week_start__lt=cutoff).values_list("pk", flat=True)):
        with transaction.atomic():
            week = _locked_week(pk)
            if week.state not in waiting:
                continue
            _bill_week(week, None, today=today)
            billed += 1
    return billed
