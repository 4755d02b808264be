"""Marketplace reads: search, recommendations and the lists behind each page. Every list is paginated
and prefetches what its template shows, so a page costs a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import FreelancerProfile, Skill
from ledger.money import to_minor
from marketplace import search
from marketplace.models import (
    BudgetType,
    ContractOffer,
    Invitation,
    Job,
    JobState,
    OfferState,
    Proposal,
    ProposalState,
    Review,
    Visibility,
)

PAGE_SIZE = 20


@dataclass
class JobFilters:
    text: str = ""
    skills: list[Skill] = field(default_factory=list)
    budget_type: str = ""
    currency: str = ""
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    posted_within_days: int | None = None
    client_country: str = ""
    sort: str = "relevance"


@dataclass
class FreelancerFilters:
    text: str = ""
    skills: list[Skill] = field(default_factory=list)
    currency: str = ""
    rate_min: Decimal | None = None
    rate_max: Decimal | None = None
    city: str = ""
    min_rating: Decimal | None = None
    pseb_registered: bool = False
    availability: str = ""
    sort: str = "relevance"


def _job_list_queryset() -> QuerySet[Job]:
    return Job.objects.select_related("client__client_profile").prefetch_related("skills")


def search_jobs(filters: JobFilters, *, page: int = 1):
    """Open public jobs matching the filters, as a Paginator page. Sorts: relevance (needs text; falls back to
    newest), newest, budget_high, budget_low."""
    jobs = _job_list_queryset().filter(state=JobState.OPEN, visibility=Visibility.PUBLIC)
    jobs, matched = search.text_search(jobs, filters.text)
    if filters.skills:
        jobs = jobs.filter(skills__in=filters.skills).distinct()
    if filters.budget_type:
        jobs = jobs.filter(budget_type=filters.budget_type)
    if filters.currency:
        jobs = jobs.filter(currency=filters.currency)
        if filters.budget_min is not None:
            jobs = jobs.filter(budget_max_minor__gte=to_minor(filters.budget_min, filters.currency))
        if filters.budget_max is not None:
            jobs = jobs.filter(budget_min_minor__lte=to_minor(filters.budget_max, filters.currency))
    if filters.posted_within_days:
        jobs = jobs.filter(published_at__gte=timezone.now() - timedelta(days=filters.posted_within_days))
    if filters.client_country:
        jobs = jobs.filter(client__client_profile__country=filters.client_country)
    order = {
        "newest": ["-published_at", "-id"],
        "budget_high": ["-budget_max_minor", "-id"],
        "budget_low": ["budget_min_minor", "id"],
    }.get(filters.sort)
    if order is None:
        order = ["-text_rank", "-published_at", "-id"] if matched else ["-published_at", "-id"]
    return Paginator(jobs.order_by(*order), PAGE_SIZE).get_page(page)


def search_freelancers(filters: FreelancerFilters, *, page: int = 1):
    """Active freelancer profiles matching the filters. Sorts: relevance, newest, rate_low, rate_high, rating."""
    people = FreelancerProfile.objects.filter(user__is_active=True).prefetch_related("skills")
    people, matched = search.text_search(people, filters.text)
    if filters.skills:
        people = people.filter(skills__in=filters.skills).distinct()
    if filters.currency:
        people = people.filter(rate_currency=filters.currency)
        if filters.rate_min is not None:
            people = people.filter(hourly_rate_minor__gte=to_minor(filters.rate_min, filters.currency))
        if filters.rate_max is not None:
            people = people.filter(hourly_rate_minor__lte=to_minor(filters.rate_max, filters.currency))
    if filters.city:
        people = people.filter(city=filters.city)
    if filters.min_rating is not None:
        people = people.filter(rating_x100__gte=int(filters.min_rating * 100))
    if filters.pseb_registered:
        today = timezone.localdate()
        people = people.exclude(pseb_registration_number="").filter(
            Q(pseb_expires_on__isnull=True) | Q(pseb_expires_on__gte=today)
        )
    if filters.availability:
        people = people.filter(availability=filters.availability)
    order = {
        "newest": ["-created_at", "-id"],
        "rate_low": [F("hourly_rate_minor").asc(nulls_last=True), "id"],
        "rate_high": [F("hourly_rate_minor").desc(nulls_last=True), "id"],
        "rating": [F("rating_x100").desc(nulls_last=True), "-rating_count", "id"],
    }.get(filters.sort)
    if order is None:
        order = (
            ["-text_rank", F("rating_x100").desc(nulls_last=True), "id"]
            if matched
            else [F("rating_x100").desc(nulls_last=True), "-updated_at", "id"]
        )
    return Paginator(people.order_by(*order), PAGE_SIZE).get_page(page)


# --- Recommendations -------------------------------------------------------------------------------------


@dataclass
class Recommendation:
    item: object
    score: int
    reasons: list[str]

    @property
    def explanation(self) -> str:
        return " · ".join(self.reasons)


def jobs_for_freelancer(profile: FreelancerProfile, *, limit: int = 10) -> list[Recommendation]:
    """Open public jobs ranked by skill overlap (×3), words of the freelancer's headline found in the job,
    and rate fit (hourly jobs whose budget range contains the freelancer's rate, same currency)."""
    skill_ids = list(profile.skills.values_list("id", flat=True))
    jobs = (
        Job.objects.filter(state=JobState.OPEN, visibility=Visibility.PUBLIC)
        .exclude(client=profile.user)
        .exclude(proposals__freelancer=profile.user)
    )
    if skill_ids:
        jobs = jobs.annotate(overlap=Count("skills", filter=Q(skills__in=skill_ids), distinct=True))
    else:
        jobs = jobs.annotate(overlap=Value(0, output_field=IntegerField()))
    rate = profile.hourly_rate_minor
    jobs = jobs.annotate(
        rate_fit=Case(
            When(
                Q(budget_type=BudgetType.HOURLY, currency=profile.rate_currency)
                & Q(budget_min_minor__lte=rate if rate is not None else -1)
                & Q(budget_max_minor__gte=rate if rate is not None else -1),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    headline_words = [w for w in search.tokens(profile.headline) if len(w) > 3]
    text_ids: set[int] = set()
    if headline_words:
        matched, _found = search.text_search(
            Job.objects.filter(state=JobState.OPEN), " ".join(headline_words), any_word=True
        )
        text_ids = set(matched.values_list("id", flat=True)[:500])
    jobs = jobs.filter(Q(overlap__gt=0) | Q(id__in=text_ids) | Q(rate_fit=1)) if (skill_ids or text_ids) else jobs
    jobs = jobs.annotate(
        text_hit=Case(When(id__in=text_ids, then=Value(1)), default=Value(0), output_field=IntegerField()),
        score=F("overlap") * 3 + F("rate_fit") * 2 + F("text_hit") * 2,
    ).order_by("-score", "-published_at", "-id")
    results = []
    for job in jobs.select_related("client__client_profile").prefetch_related("skills")[:limit]:
        reasons = []
        if job.overlap:
            reasons.append(
                ngettext("matches %(n)d of your skills", "matches %(n)d of your skills", job.overlap)
                % {"n": job.overlap}
            )
        if job.rate_fit:
            reasons.append(_("your rate is within the budget"))
        if job.text_hit:
            reasons.append(_("mentions words from your headline"))
        results.append(Recommendation(job, job.score, reasons or [_("recently posted")]))
    return results


def freelancers_for_job(job: Job, *, limit: int = 10) -> list[Recommendation]:
    """Freelancers ranked by overlap with the job's skills (×3), their rating, rate fit for hourly jobs,
    and words of the job title found in their profile. Unavailable freelancers are left out."""
    skill_ids = list(job.skills.values_list("id", flat=True))
    people = (
        FreelancerProfile.objects.filter(user__is_active=True)
        .exclude(user=job.client)
        .exclude(availability="unavailable")
    )
    if skill_ids:
        people = people.annotate(overlap=Count("skills", filter=Q(skills__in=skill_ids), distinct=True))
    else:
        people = people.annotate(overlap=Value(0, output_field=IntegerField()))
    if job.budget_type == BudgetType.HOURLY:
        fit = Q(rate_currency=job.currency, hourly_rate_minor__gte=job.budget_min_minor) & Q(
            hourly_rate_minor__lte=job.budget_max_minor
        )
    else:
        fit = Q(pk__in=[])
    title_words = [w for w in search.tokens(job.title) if len(w) > 3]
    text_ids: set[int] = set()
    if title_words:
        matched, _found = search.text_search(FreelancerProfile.objects.all(), " ".join(title_words), any_word=True)
        text_ids = set(matched.values_list("id", flat=True)[:500])
    people = people.annotate(
        rate_fit=Case(When(fit, then=Value(1)), default=Value(0), output_field=IntegerField()),
        text_hit=Case(When(id__in=text_ids, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )
    if skill_ids or text_ids:
        people = people.filter(Q(overlap__gt=0) | Q(text_hit=1))
    people = people.annotate(
        score=F("overlap") * 300 + Coalesce("rating_x100", 0) + F("rate_fit") * 200 + F("text_hit") * 200
    ).order_by("-score", "id")
    results = []
    for profile in people.prefetch_related("skills")[:limit]:
        reasons = []
        if profile.overlap:
            reasons.append(
                ngettext("matches %(n)d of the job's skills", "matches %(n)d of the job's skills", profile.overlap)
                % {"n": profile.overlap}
            )
        if profile.rating is not None:
            reasons.append(_("rated %(rating)s") % {"rating": profile.rating})
        if profile.rate_fit:
            reasons.append(_("rate within your budget"))
        if profile.text_hit:
            reasons.append(_("profile mentions words from the title"))
        results.append(Recommendation(profile, profile.score, reasons))
    return results


# --- Lists for pages -------------------------------------------------------------------------------------


def client_jobs(client) -> QuerySet[Job]:
    return (
        Job.objects.filter(client=client)
        .annotate(
            proposal_count=Count("proposals", filter=Q(proposals__state__in=["submitted", "shortlisted", "hired"]))
        )
        .prefetch_related("skills")
        .order_by("-created_at")
    )


def job_proposals(job: Job) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(job=job)
        .exclude(state=ProposalState.WITHDRAWN)
        .select_related("freelancer__freelancer_profile")
        .prefetch_related("milestones")
        .order_by(Case(When(state="shortlisted", then=0), When(state="submitted", then=1), default=2), "-created_at")
    )


def freelancer_proposals(freelancer) -> QuerySet[Proposal]:
    return Proposal.objects.filter(freelancer=freelancer).select_related("job").order_by("-created_at")


def freelancer_invitations(freelancer) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(freelancer=freelancer, job__state=JobState.OPEN)
        .exclude(job__proposals__freelancer=freelancer)
        .select_related("job__client__client_profile")
    )


def offers_for(user) -> QuerySet[ContractOffer]:
    return (
        ContractOffer.objects.filter(Q(client=user) | Q(freelancer=user))
        .select_related("job", "client__client_profile", "freelancer__freelancer_profile")
        .order_by("-created_at")
    )


def offer_for_participant(user, pk: int) -> ContractOffer:
    return offers_for(user).prefetch_related(Prefetch("reviews", queryset=Review.objects.all())).get(pk=pk)


def visible_reviews_of(user, *, limit: int = 5) -> QuerySet[Review]:
    return (
        Review.objects.filter(subject=user, revealed_at__isnull=False)
        .select_related("author__client_profile", "author__freelancer_profile", "offer__job")
        .order_by("-revealed_at")[:limit]
    )


def offers_awaiting_review(user) -> QuerySet[ContractOffer]:
    window_start = timezone.now() - timedelta(days=14)
    return offers_for(user).filter(state=OfferState.ENDED, ended_at__gte=window_start).exclude(reviews__author=user)
