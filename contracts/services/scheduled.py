"""The scheduled job: milestones whose review window has passed are released, and the client is warned
before that happens."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import (
    Milestone,
    MilestoneState,
)
from contracts.services._common import _event, _locked_milestone, _notify
from contracts.services.fixed_price import _release


def auto_release_due(*, now: datetime | None = None) -> int:
    """Release every submitted milestone whose review window has passed. Each release is its own transaction
    under the milestone's lock, so an interrupted run resumes without releasing anything twice."""
    now = now or timezone.now()
    released = 0
    due = Milestone.objects.filter(state=MilestoneState.SUBMITTED, review_ends_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            milestone = _locked_milestone(pk)
            if milestone.state != MilestoneState.SUBMITTED or milestone.review_ends_at > now:
                continue
            _release(milestone, None, automatic=True)
            released += 1
    return released


def auto_release_warn(*, now: datetime | None = None) -> int:
    """Two days before an automatic release, tell both sides (once per submission)."""
    now = now or timezone.now()
    warned = 0
    soon = Milestone.objects.filter(
        state=MilestoneState.SUBMITTED,
        auto_release_warned_at__isnull=True,
        review_ends_at__lte=now + timedelta(days=2),
        review_ends_at__gt=now,
    ).values_list("pk", flat=True)
    for pk in list(soon):
        with transaction.atomic():
            milestone = _locked_milestone(pk)
            if milestone.auto_release_warned_at or milestone.state != MilestoneState.SUBMITTED:
                continue
            milestone.auto_release_warned_at = now
            milestone.save(update_fields=["auto_release_warned_at"])
            _event(
                milestone.contract,
                None,
                "auto_release_notice",
                lambda milestone=milestone: (
                    _("“%(title)s” will be released automatically on %(date)s.")
                    % {"title": milestone.title, "date": milestone.review_ends_at.date()}
                ),
            )
            _notify(
                milestone.contract,
                _("Automatic release in 2 days"),
                _(
                    "“%(title)s” will be released automatically on %(date)s unless the client approves, asks "
                    "for changes or opens a dispute."
                )
                % {"title": milestone.title, "date": milestone.review_ends_at.date()},
            )
            warned += 1
    return warned
