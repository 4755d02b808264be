"""Contracts with money secured before work starts: versions of terms, milestones in escrow, hourly weeks,
pay-ins through payment providers, disputes, and an audit trail of every event."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.translations import in_reader_language
from ledger.money import CURRENCY_CHOICES, from_minor


class ContractKind(models.TextChoices):
    FIXED = "fixed", _("Fixed price")
    HOURLY = "hourly", _("Hourly")


class ContractState(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for acceptance")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


CONTRACT_TRANSITIONS: dict[str, set[str]] = {
    ContractState.PROPOSED: {ContractState.ACTIVE, ContractState.CANCELLED},
    ContractState.ACTIVE: {ContractState.COMPLETED, ContractState.CANCELLED},
    ContractState.COMPLETED: set(),
    ContractState.CANCELLED: set(),
}


class Contract(models.Model):
    offer = models.OneToOneField(
        "marketplace.ContractOffer", null=True, blank=True, on_delete=models.PROTECT, related_name="contract"
    )
    title = models.CharField(_("title"), max_length=140)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts_as_client"
    )
    client_email = models.EmailField(_("client's e-mail"), blank=True)
    invite_token = models.CharField(max_length=64, blank=True, db_index=True)
    freelancer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts_as_freelancer"
    )
    kind = models.CharField(max_length=6, choices=ContractKind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    state = models.CharField(max_length=10, choices=ContractState.choices, default=ContractState.PROPOSED)
    # Terms in force (copied from the latest version both sides accepted).
    review_window_days = models.PositiveSmallIntegerField(default=14)
    penalty_bp_per_week = models.PositiveIntegerField(default=0, help_text="Late-funding penalty, basis points/week")
    penalty_cap_bp = models.PositiveIntegerField(default=0, help_text="Cap on the penalty, basis points of the amount")
    platform_fee_bp = models.PositiveIntegerField(help_text="Platform fee in basis points of each release")
    hourly_rate_minor = models.BigIntegerField(null=True, blank=True)
    weekly_hour_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    cancellation_terms = models.TextField(blank=True, max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(platform_fee_bp__lte=5000), name="contract_fee_at_most_half"),
        ]

    def __str__(self):
        return self.title

    @property
    def hourly_rate(self):
        return None if self.hourly_rate_minor is None else from_minor(self.hourly_rate_minor, self.currency)

    def is_party(self, user) -> bool:
        return user.is_authenticated and user.pk in (self.client_id, self.freelancer_id)


class ContractVersion(models.Model):
    """Every set of terms ever proposed; a version applies when both sides have accepted it."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    terms = models.JSONField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_accepted_at = models.DateTimeField(null=True, blank=True)
    freelancer_accepted_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="contract_version_number")]

    def __str__(self):
        return f"{self.contract} v{self.number}"

    @property
    def accepted(self) -> bool:
        return bool(self.client_accepted_at and self.freelancer_accepted_at)


class MilestoneState(models.TextChoices):
    PENDING_FUNDING = "pending_funding", _("Waiting for funding")
    AWAITING_PAYMENT = "awaiting_payment", _("Bank transfer on its way")
    FUNDED = "funded", _("Funded (in escrow)")
    SUBMITTED = "submitted", _("Delivered, in review")
    RELEASED = "released", _("Released")
    REFUNDED = "refunded", _("Refunded")
    DISPUTED = "disputed", _("In dispute")
    RESOLVED = "resolved", _("Decided by a mediator")
    CANCELLED = "cancelled", _("Cancelled")


# The one table of milestone moves; services refuse anything else.
MILESTONE_TRANSITIONS: dict[str, set[str]] = {
    MilestoneState.PENDING_FUNDING: {MilestoneState.AWAITING_PAYMENT, MilestoneState.FUNDED, MilestoneState.CANCELLED},
    MilestoneState.AWAITING_PAYMENT: {MilestoneState.FUNDED, MilestoneState.PENDING_FUNDING},
    MilestoneState.FUNDED: {MilestoneState.SUBMITTED, MilestoneState.REFUNDED, MilestoneState.DISPUTED},
    MilestoneState.SUBMITTED: {
        MilestoneState.RELEASED,
        MilestoneState.FUNDED,  # changes requested
        MilestoneState.DISPUTED,
    },
    MilestoneState.DISPUTED: {MilestoneState.RESOLVED},
    MilestoneState.RELEASED: set(),
    MilestoneState.REFUNDED: set(),
    MilestoneState.RESOLVED: set(),
    MilestoneState.CANCELLED: set(),
}


class Milestone(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=140)
    amount_minor = models.BigIntegerField()
    due_date = models.DateField(help_text="Fund by this date; later funding accrues the late penalty")
    deliver_by = models.DateField(null=True, blank=True, help_text="The freelancer delivers by this date")
    changes_requested_at = models.DateTimeField(null=True, blank=True)
    changes_note = models.CharField(max_length=2000, blank=True, help_text="The client's last change request")
    state = models.CharField(max_length=20, choices=MilestoneState.choices, default=MilestoneState.PENDING_FUNDING)
    penalty_minor = models.BigIntegerField(default=0, help_text="Late penalty paid in with the funding")
    funded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_ends_at = models.DateTimeField(null=True, blank=True)
    auto_release_warned_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="milestone_amount_positive")]

    def __str__(self):
        return self.title

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.contract.currency)

    @property
    def penalty(self):
        return from_minor(self.penalty_minor, self.contract.currency)

    @property
    def escrow_minor(self) -> int:
        return self.amount_minor + self.penalty_minor


class Delivery(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="deliveries")
    message = models.TextField(max_length=5000)
    file = models.FileField(upload_to="deliveries/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Delivery for {self.milestone}"


class WeekState(models.TextChoices):
    OPEN = "open", _("Open for logging")
    IN_REVIEW = "in_review", _("In the client's review")
    APPROVED = "approved", _("Approved by the client")
    BILLED = "billed", _("Billed")
    DISPUTED = "disputed", _("In dispute")
    RESOLVED = "resolved", _("Decided by a mediator")


# The one table of hourly-week moves (Upwork's weekly timesheet review); services refuse anything else.
# OPEN becomes IN_REVIEW when the freelancer submits the week early, or by the calendar once Sunday has
# passed (HourlyWeek.state_on reads it so; nothing needs to write it). In review, the client approves
# (billed at once) or disputes; the scheduled job bills what is left when the review window ends.
WEEK_TRANSITIONS: dict[str, set[str]] = {
    WeekState.OPEN: {WeekState.IN_REVIEW},
    WeekState.IN_REVIEW: {WeekState.APPROVED, WeekState.DISPUTED, WeekState.BILLED},
    WeekState.APPROVED: {WeekState.BILLED},
    WeekState.DISPUTED: {WeekState.RESOLVED},
    WeekState.BILLED: set(),
    WeekState.RESOLVED: set(),
}


def hourly_review_days() -> int:
    """Days the client has after Sunday to approve or dispute a week (settings.KAMAI_HOURLY_REVIEW_DAYS)."""
    return settings.KAMAI_HOURLY_REVIEW_DAYS


class HourlyWeek(models.Model):
    """A Monday-to-Sunday week of an hourly contract. After Sunday (or once the freelancer submits it) the
    client has KAMAI_HOURLY_REVIEW_DAYS days to approve or dispute it; approval bills it at once, and the
    scheduled job bills an undisputed week from escrow into the freelancer's wallet when the window ends."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="weeks")
    week_start = models.DateField()
    state = models.CharField(max_length=10, choices=WeekState.choices, default=WeekState.OPEN)
    billed_minor = models.BigIntegerField(default=0)
    shortfall_minor = models.BigIntegerField(default=0, help_text="Owed but not in escrow when billed")
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="The freelancer sent it for review early")
    approved_at = models.DateTimeField(null=True, blank=True)
    billed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start"]
        constraints = [models.UniqueConstraint(fields=["contract", "week_start"], name="one_week_row")]

    def __str__(self):
        return f"{self.contract} week of {self.week_start}"

    @property
    def week_end(self):
        return self.week_start + timedelta(days=6)

    @property
    def review_ends_on(self):
        """The last day the client can approve or dispute; the week is billed automatically after it."""
        return self.week_end + timedelta(days=hourly_review_days())

    def state_on(self, today) -> str:
        """The state as the calendar sees it: an open week whose Sunday has passed is in review."""
        if self.state == WeekState.OPEN and today > self.week_end:
            return WeekState.IN_REVIEW
        return self.state


class TimeEntry(models.Model):
    week = models.ForeignKey(HourlyWeek, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField()
    minutes = models.PositiveIntegerField()
    memo = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0), name="time_entry_positive")]

    def __str__(self):
        return f"{self.date}: {self.minutes} min"


class PayInState(models.TextChoices):
    PENDING = "pending", _("Waiting for the bank transfer")
    CONFIRMED = "confirmed", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


PAYIN_TRANSITIONS: dict[str, set[str]] = {
    PayInState.PENDING: {PayInState.CONFIRMED, PayInState.CANCELLED},
    PayInState.CONFIRMED: set(),
    PayInState.CANCELLED: set(),
}


class PayIn(models.Model):
    """Money a client sends in through a payment provider, earmarked for a milestone or a retainer."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payins")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="payins")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payins")
    amount_minor = models.BigIntegerField()
    # What actually arrived, when staff confirmed a bank transfer for a different amount.
    received_minor = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    provider = models.CharField(max_length=30)
    reference = models.CharField(max_length=40, unique=True)
    state = models.CharField(max_length=10, choices=PayInState.choices, default=PayInState.PENDING)
    bank_reference = models.CharField(max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payin_amount_positive")]

    def __str__(self):
        return self.reference

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)

    @property
    def credited_minor(self) -> int:
        """What reaches the client's funds: the amount received, or the amount asked for."""
        return self.amount_minor if self.received_minor is None else self.received_minor


class DisputeState(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")


DISPUTE_TRANSITIONS: dict[str, set[str]] = {DisputeState.OPEN: {DisputeState.DECIDED}, DisputeState.DECIDED: set()}


class Dispute(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="disputes")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes")
    week = models.ForeignKey(HourlyWeek, null=True, blank=True, on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=5000)
    amount_minor = models.BigIntegerField(help_text="Escrow frozen by this dispute")
    state = models.CharField(max_length=10, choices=DisputeState.choices, default=DisputeState.OPEN)
    to_freelancer_minor = models.BigIntegerField(null=True, blank=True)
    to_client_minor = models.BigIntegerField(null=True, blank=True)
    decision = models.TextField(blank=True, max_length=5000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Dispute #{self.pk} on {self.contract}"


class Evidence(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=5000)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_type = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Evidence by {self.author}"


class Event(models.Model):
    """The contract's audit trail: every step, who did it and when."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    translations = models.JSONField(default=dict, blank=True)  # {language: message} beside the English

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind}: {self.message}"

    @property
    def text(self) -> str:
        """The line in the reader's language."""
        return in_reader_language(self.message, self.translations)


class ActionKey(models.Model):
    """The idempotency key of each money action in any app (from the form or the Idempotency-Key header): a
    replay of the same request returns the first outcome instead of acting twice."""

    key = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True, blank=True)
    # sha256 of the canonical request (contracts.action_keys): the same key with another request is refused.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Each user's keys are their own: another user's key can neither replay nor block theirs.
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="action_key_unique_per_user")]

    def __str__(self):
        return self.key
