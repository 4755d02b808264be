"""Jobs, invitations, proposals, contract offers (the hand-off to contracts) and reviews."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Skill
from ledger.money import CURRENCY_CHOICES, from_minor

REVIEW_WINDOW = timedelta(days=14)


class JobState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    FILLED = "filled", _("Filled")


# The one table of allowed job state changes; services refuse anything else.
JOB_TRANSITIONS: dict[str, set[str]] = {
    JobState.DRAFT: {JobState.OPEN},
    JobState.OPEN: {JobState.CLOSED, JobState.FILLED},
    JobState.CLOSED: {JobState.OPEN},
    JobState.FILLED: {JobState.OPEN, JobState.CLOSED},
}


class BudgetType(models.TextChoices):
    FIXED = "fixed", _("Fixed price")
    HOURLY = "hourly", _("Hourly")


class Duration(models.TextChoices):
    UNDER_WEEK = "under_week", _("Less than a week")
    WEEKS = "weeks", _("1 to 4 weeks")
    MONTHS = "months", _("1 to 3 months")
    QUARTER_PLUS = "quarter_plus", _("3 to 6 months")
    LONG = "long", _("More than 6 months")


class ExperienceLevel(models.TextChoices):
    ENTRY = "entry", _("Entry level")
    INTERMEDIATE = "intermediate", _("Intermediate")
    EXPERT = "expert", _("Expert")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INVITE_ONLY = "invite_only", _("Invite only")


class Job(models.Model):
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), max_length=10000)
    skills = models.ManyToManyField(Skill, blank=True, related_name="jobs")
    budget_type = models.CharField(_("budget type"), max_length=6, choices=BudgetType.choices)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    budget_min_minor = models.BigIntegerField(_("budget from"))
    budget_max_minor = models.BigIntegerField(_("budget to"))
    duration = models.CharField(_("expected duration"), max_length=12, choices=Duration.choices)
    experience_level = models.CharField(_("experience level"), max_length=12, choices=ExperienceLevel.choices)
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices, default="public")
    state = models.CharField(max_length=6, choices=JobState.choices, default=JobState.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # PostgreSQL full-text document (title A, skills B, description C); SQLite uses an FTS5 table instead.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["state", "visibility", "-published_at", "-id"], name="job_browse_idx"),
            models.Index(
                fields=["state", "visibility", "budget_type", "currency", "-published_at", "-id"],
                name="job_browse_type_idx",
            ),
            models.Index(fields=["client", "-created_at"], name="job_client_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min_minor__gt=0) & Q(budget_max_minor__gte=models.F("budget_min_minor")),
                name="job_budget_range_valid",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def budget_min(self):
        return from_minor(self.budget_min_minor, self.currency)

    @property
    def budget_max(self):
        return from_minor(self.budget_max_minor, self.currency)

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    def allowed_transitions(self) -> set[str]:
        return JOB_TRANSITIONS.get(self.state, set())


class OpenJobSkill(models.Model):
    """One row per skill of each open public job, with its publication time: "the newest open jobs with this
    skill" is then read straight off an index, however many jobs share the skill. Derived from the job (kept
    by `marketplace.candidates.job_listing_refresh`, called by every service that changes a job's state,
    visibility or skills); readers still check the job itself, so a stale row can only cost a candidate."""

    # No single-column indexes: the unique constraint leads with the job, the list's index with the skill.
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+", db_index=False)
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+", db_index=False)
    published_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "skill"], name="open_job_skill_once")]
        indexes = [models.Index(fields=["skill", "-published_at", "-job"], name="open_job_skill_newest_idx")]

    def __str__(self):
        return f"job {self.job_id} under skill {self.skill_id}"


class FreelancerSkillRank(models.Model):
    """One row per skill of each available freelancer, with their rating copied beside it: "the best-rated
    freelancers with this skill" is then read straight off an index. Derived from the profile (kept by
    `marketplace.candidates.freelancer_listing_refresh`, called after every profile write and rating update);
    readers still check the profile itself, so a stale row can only cost a candidate."""

    profile = models.ForeignKey(
        "accounts.FreelancerProfile", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+", db_index=False)
    rating_x100 = models.PositiveIntegerField()
    rating_count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "skill"], name="freelancer_skill_rank_once")]
        indexes = [
            models.Index(fields=["skill", "-rating_x100", "-rating_count", "profile"], name="freelancer_skill_best_idx")
        ]

    def __str__(self):
        return f"freelancer {self.profile_id} under skill {self.skill_id}"


class Invitation(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="invitations")
    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    message = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "freelancer"], name="one_invitation_per_job")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation to {self.job}"


class ProposalState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    HIRED = "hired", _("Hired")


PROPOSAL_TRANSITIONS: dict[str, set[str]] = {
    ProposalState.SUBMITTED: {
        ProposalState.SHORTLISTED,
        ProposalState.DECLINED,
        ProposalState.WITHDRAWN,
        ProposalState.HIRED,
    },
    ProposalState.SHORTLISTED: {ProposalState.DECLINED, ProposalState.WITHDRAWN, ProposalState.HIRED},
    ProposalState.DECLINED: set(),
    ProposalState.WITHDRAWN: set(),
    ProposalState.HIRED: set(),
}


class Proposal(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="proposals")
    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals")
    cover_letter = models.TextField(_("cover letter"), max_length=8000)
    bid_minor = models.BigIntegerField(_("bid"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    duration = models.CharField(_("estimated duration"), max_length=12, choices=Duration.choices)
    state = models.CharField(max_length=12, choices=ProposalState.choices, default=ProposalState.SUBMITTED)
    decline_reason = models.CharField(max_length=500, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "freelancer"], name="one_proposal_per_job"),
            models.CheckConstraint(condition=Q(bid_minor__gt=0), name="proposal_bid_positive"),
        ]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.freelancer} → {self.job}"

    @property
    def bid(self):
        return from_minor(self.bid_minor, self.currency)

    @property
    def editable(self) -> bool:
        return self.state == ProposalState.SUBMITTED and self.viewed_at is None

    @property
    def is_active(self) -> bool:
        return self.state in (ProposalState.SUBMITTED, ProposalState.SHORTLISTED)


class ProposalMilestone(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=140)
    amount_minor = models.BigIntegerField()
    due_date = models.DateField()

    class Meta:
        ordering = ["position"]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="proposal_milestone_positive")]

    def __str__(self):
        return self.title

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.proposal.currency)


class OfferState(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ENDED = "ended", _("Ended")


OFFER_TRANSITIONS: dict[str, set[str]] = {
    OfferState.OFFERED: {OfferState.ACCEPTED, OfferState.DECLINED, OfferState.WITHDRAWN},
    OfferState.ACCEPTED: {OfferState.ENDED},
    OfferState.DECLINED: set(),
    OfferState.WITHDRAWN: set(),
    OfferState.ENDED: set(),
}


class ContractOffer(models.Model):
    """What hiring creates: the proposal's terms, frozen. The contracts app builds the contract from an
    accepted offer; reviews hang off the offer once the work has ended."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="offer")
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="offers")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offers_made")
    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offers_received")
    budget_type = models.CharField(max_length=6, choices=BudgetType.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField(help_text="Fixed price total, or the hourly rate")
    milestones = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=OfferState.choices, default=OfferState.OFFERED)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Offer #{self.pk}: {self.job}"

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)

    @property
    def review_window_ends_at(self):
        return self.ended_at + REVIEW_WINDOW if self.ended_at else None


class Review(models.Model):
    """Double-blind: hidden from everyone but its author until both sides reviewed or the window closed."""

    offer = models.ForeignKey(ContractOffer, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_written")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_received")
    subject_is_freelancer = models.BooleanField()
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=3000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "author"], name="one_review_per_side"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["subject", "revealed_at"], name="review_subject_idx")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.rating}★ for {self.subject}"
