"""Marketplace reads: search, recommendations and the lists behind each page. Every list is paginated
and prefetches what its template shows, so a page costs a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import ClientProfile, FreelancerProfile, Skill, User
from common.ids import AmongIds
from ledger.money import to_minor
from marketplace import search
from marketplace.models import (
    BudgetType,
    ContractOffer,
    FreelancerSkillRank,
    Invitation,
    Job,
    JobState,
    OfferState,
    OpenJobSkill,
    Proposal,
    ProposalState,
    Review,
    Visibility,
)

PAGE_SIZE = 20
# Searches count at most this many matches ("More than 500 jobs", 25 pages), so no search grows (DECISIONS 19).
RESULT_WINDOW = 500
# Relevance ranks this many matches (ten pages); later pages go on in the default order.
RANKED = 200


class CappedPaginator(Paginator):
    """A paginator whose count stops at RESULT_WINDOW: SELECT COUNT(*) FROM (... ORDER BY <the list's order>
    LIMIT n+1). The order lets PostgreSQL walk the sort's index and stop at the n+1st match, instead of
    collecting every match of a common filter first; it still collects and sorts when matches are rare."""

    def __init__(self, object_list, per_page, *, count_queryset=None):
        super().__init__(object_list, per_page)
        self.count_queryset = object_list if count_queryset is None else count_queryset

    @cached_property
    def count(self) -> int:
        if isinstance(self.count_queryset, _RankedFirst):
            return self.count_queryset.capped_count
        return self.count_queryset[: RESULT_WINDOW + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > RESULT_WINDOW

    window = property(lambda self: RESULT_WINDOW, doc='What a capped count stands for: "more than <window>".')


def _paginate(queryset, page, *, count_queryset=None):
    return CappedPaginator(queryset, PAGE_SIZE, count_queryset=count_queryset).get_page(page)


class _RankedFirst:
    """All matches in relevance order, sliceable by a paginator: the RANKED first matches by the default order
    (newest jobs, best-rated freelancers) ranked by relevance, then the other matches in the default order.
    Ranking reads each candidate's whole text, so it stays on a window of a few pages whatever the table's size
    and however common the words. One walk down the default order finds the window and the capped count."""

    def __init__(self, matches: QuerySet, default_order: list, *, ranking: QuerySet):
        # ranking: the rows as a list shows them, with `text_rank` but without the full-text filter (the window's
        # rows are known to match; matching again would read every posting of the words a second time).
        self.matches, self.default_order, self.ranking = matches, default_order, ranking

    @cached_property
    def first_ids(self) -> list[int]:
        ordered = self.matches.order_by(*self.default_order).values_list("pk", flat=True)
        return list(ordered[: RESULT_WINDOW + 1])

    @property
    def capped_count(self) -> int:
        return len(self.first_ids)

    def __getitem__(self, rows: slice) -> list:
        ranked_ids = self.first_ids[:RANKED]
        ranked = len(ranked_ids)
        found = []
        if rows.start < ranked:
            in_window = self.ranking.filter(AmongIds(F("pk"), ranked_ids))
            found += in_window.order_by("-text_rank", *self.default_order)[rows.start : min(rows.stop, ranked)]
        if rows.stop > ranked and ranked == RANKED:
            rest = self.matches.exclude(AmongIds(F("pk"), ranked_ids)).order_by(*self.default_order)
            found += rest[max(rows.start - ranked, 0) : rows.stop - ranked]
        return found


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
    # Client profiles are prefetched for the 20 rows shown, not joined into the search itself.
    return Job.objects.defer("search_vector").prefetch_related("skills", "client__client_profile")


def job_matches(filters: JobFilters) -> tuple[QuerySet[Job], bool]:
    """Open public jobs matching the filters, unordered; matched: the text had words (`text_rank` is set)."""
    jobs = _job_list_queryset().filter(state=JobState.OPEN, visibility=Visibility.PUBLIC)
    jobs, matched = search.text_search(jobs, filters.text)
    if filters.skills:
        jobs = jobs.filter(
            Exists(
                Job.skills.through.objects.filter(job_id=OuterRef("pk"), skill_id__in=[s.pk for s in filters.skills])
            )
        )
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
        jobs = jobs.filter(
            Exists(ClientProfile.objects.filter(user_id=OuterRef("client_id"), country=filters.client_country))
        )
    return jobs, matched


def search_jobs(filters: JobFilters, *, page: int = 1):
    """Open public jobs matching the filters, as a Paginator page. Sorts: relevance (needs text; falls back to
    newest), newest, budget_high, budget_low."""
    jobs, matched = job_matches(filters)
    order = {
        "newest": ["-published_at", "-id"],
        "budget_high": ["-budget_max_minor", "-id"],
        "budget_low": ["budget_min_minor", "id"],
    }.get(filters.sort)
    if order is None:
        order = ["-published_at", "-id"]
        if matched:
            ranking = search.text_rank(_job_list_queryset(), filters.text)
            return _paginate(_RankedFirst(jobs, order, ranking=ranking), page)
    # Counted on ids alone (no rank, no columns), in the list's order.
    return _paginate(jobs.order_by(*order), page, count_queryset=jobs.values("pk").order_by(*order))


# "The profile's account is active", as an anti-join with the few deactivated accounts (a partial index holds
# them) rather than a join of every matching profile to its user.
_ACTIVE = ~Exists(User.objects.filter(pk=OuterRef("user_id"), is_active=False))


def _freelancer_list_queryset() -> QuerySet[FreelancerProfile]:
    return FreelancerProfile.objects.defer("search_vector").prefetch_related("skills")


def freelancer_matches(filters: FreelancerFilters) -> tuple[QuerySet[FreelancerProfile], bool]:
    """Active freelancer profiles matching the filters, unordered; matched: the text had words."""
    people = _freelancer_list_queryset().filter(_ACTIVE)
    people, matched = search.text_search(people, filters.text)
    if filters.skills:
        people = people.filter(
            Exists(
                FreelancerProfile.skills.through.objects.filter(
                    freelancerprofile_id=OuterRef("pk"), skill_id__in=[s.pk for s in filters.skills]
                )
            )
        )
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
    return people, matched


def search_freelancers(filters: FreelancerFilters, *, page: int = 1):
    """Active freelancer profiles matching the filters. Sorts: relevance, newest, rate_low, rate_high, rating."""
    people, matched = freelancer_matches(filters)
    order = {
        "newest": ["-created_at", "-id"],
        "rate_low": [F("hourly_rate_minor").asc(nulls_last=True), "id"],
        "rate_high": [F("hourly_rate_minor").desc(nulls_last=True), "id"],
        "rating": ["-rating_x100", "-rating_count", "id"],
    }.get(filters.sort)
    if order is None:
        order = ["-rating_x100", "-rating_count", "id"]
        if matched:
            ranking = search.text_rank(_freelancer_list_queryset(), filters.text)
            return _paginate(_RankedFirst(people, order, ranking=ranking), page)
    # Counted on ids alone (no rank, no columns), in the list's order.
    return _paginate(people.order_by(*order), page, count_queryset=people.values("pk").order_by(*order))


# --- Recommendations -------------------------------------------------------------------------------------


@dataclass
class Recommendation:
    item: object
    score: int
    reasons: list[str]

    @property
    def explanation(self) -> str:
        return " · ".join(self.reasons)


# Recommendations score at most this many candidates a skill (the newest jobs, the best-rated freelancers
# with it), read off the per-skill lists in marketplace.candidates: the cost stays flat however many share a skill.
CANDIDATES = 100
# Hourly jobs checked for a freelancer's rate: the newest this many in their currency.
RECENT_HOURLY_JOBS = 300


def _text_hits(queryset, words: list[str], candidate_ids) -> set[int]:
    """Which of the candidates mention any of the words (one full-text query over the candidates only)."""
    if not words or not candidate_ids:
        return set()
    candidates = queryset.filter(AmongIds(F("pk"), candidate_ids))
    matched, _found = search.text_search(candidates, " ".join(words), any_word=True)
    return set(matched.values_list("id", flat=True))


def _per_skill(listing: QuerySet, owner_field: str, skill_ids, order: list[str]) -> set[int]:
    """The first CANDIDATES owners listed under each skill, in the list's order (one index range each)."""
    found: set[int] = set()
    for skill_id in skill_ids:
        listed = listing.filter(skill_id=skill_id).order_by(*order)
        found |= set(listed.values_list(owner_field, flat=True)[:CANDIDATES])
    return found


def _shared_skills(through, owner_field: str, skill_ids):
    """An annotation: how many of `skill_ids` the row has, counted on the link table (0 for none)."""
    if not skill_ids:
        return Value(0)
    shared = (
        through.objects.filter(skill_id__in=skill_ids, **{owner_field: OuterRef("pk")})
        .order_by()
        .values(owner_field)
        .annotate(n=Count("skill_id"))
        .values("n")
    )
    return Coalesce(Subquery(shared), 0)


def jobs_for_freelancer(profile: FreelancerProfile, *, limit: int = 10) -> list[Recommendation]:
    """Open public jobs the freelancer has not proposed on, ranked by: shared skills (3 points each), the
    freelancer's hourly rate inside an hourly job's budget (2), words of their headline in the job (2); newest
    first among equals. Candidates are the 100 newest open jobs with each of the freelancer's skills, plus the
    newest hourly jobs in their currency that fit their rate (or the 100 newest jobs, for a profile with
    neither)."""
    skill_ids = list(profile.skills.values_list("id", flat=True))
    open_jobs = (
        Job.objects.filter(state=JobState.OPEN, visibility=Visibility.PUBLIC)
        .exclude(client_id=profile.user_id)
        .exclude(pk__in=Proposal.objects.filter(freelancer_id=profile.user_id).values("job_id"))
    )
    newest = ["-published_at", "-id"]
    candidate_ids = _per_skill(OpenJobSkill.objects.all(), "job_id", skill_ids, ["-published_at", "-job_id"])
    rate = profile.hourly_rate_minor
    if rate is not None:
        recent_hourly = Job.objects.filter(
            state=JobState.OPEN,
            visibility=Visibility.PUBLIC,
            budget_type=BudgetType.HOURLY,
            currency=profile.rate_currency,
        ).order_by(*newest)
        fitting = open_jobs.filter(
            pk__in=recent_hourly.values("pk")[:RECENT_HOURLY_JOBS],
            budget_min_minor__lte=rate,
            budget_max_minor__gte=rate,
        )
        candidate_ids |= set(fitting.order_by(*newest).values_list("pk", flat=True)[:CANDIDATES])
    if not candidate_ids:
        candidate_ids = set(open_jobs.order_by(*newest).values_list("pk", flat=True)[:CANDIDATES])
    # The lists may lag a moment behind the jobs: every candidate is checked against the job itself.
    facts = {
        row[0]: row
        for row in open_jobs.filter(AmongIds(F("pk"), candidate_ids))
        .annotate(overlap=_shared_skills(Job.skills.through, "job_id", skill_ids))
        .values_list("pk", "published_at", "budget_type", "currency", "budget_min_minor", "budget_max_minor", "overlap")
    }
    candidate_ids = set(facts)
    overlaps = {pk: row[-1] for pk, row in facts.items()}

    def fits(pk):
        _pk, _published, budget_type, currency, low, high, _overlap = facts[pk]
        return (
            rate is not None
            and budget_type == BudgetType.HOURLY
            and currency == profile.rate_currency
            and low <= rate <= high
        )

    words = [w for w in search.tokens(profile.headline) if len(w) > 3]
    hits = _text_hits(Job.objects.all(), words, candidate_ids)

    def score(pk):
        return overlaps.get(pk, 0) * 3 + fits(pk) * 2 + (pk in hits) * 2

    never = datetime.min.replace(tzinfo=UTC)
    best = sorted(candidate_ids, key=lambda pk: (score(pk), facts[pk][1] or never, pk), reverse=True)[:limit]
    jobs = Job.objects.filter(pk__in=best).select_related("client__client_profile").prefetch_related("skills")
    by_id = {job.pk: job for job in jobs}
    results = []
    for pk in best:
        job, overlap = by_id[pk], overlaps.get(pk, 0)
        reasons = []
        if overlap:
            reasons.append(
                ngettext("matches %(n)d of your skills", "matches %(n)d of your skills", overlap) % {"n": overlap}
            )
        if fits(pk):
            reasons.append(_("your rate is within the budget"))
        if pk in hits:
            reasons.append(_("mentions words from your headline"))
        results.append(Recommendation(job, score(pk), reasons))  # no reason: the card already says when it was posted
    return results


def freelancers_for_job(job: Job, *, limit: int = 10) -> list[Recommendation]:
    """Available freelancers ranked by: shared skills with the job (3 points each), rating (up to 5 points,
    as stars), hourly rate inside an hourly job's budget (2), words of the job title in their profile (2).
    Candidates are the 100 best-rated available freelancers with each of the job's skills (or the 100 best
    rated, for a job without skills)."""
    skill_ids = list(job.skills.values_list("id", flat=True))
    # Checked on the profile table alone (no join to users); inactive accounts drop out with the facts below.
    people = FreelancerProfile.objects.exclude(user=job.client).exclude(availability="unavailable")
    best_rated = ["-rating_x100", "-rating_count", "profile_id"]
    candidate_ids = _per_skill(FreelancerSkillRank.objects.all(), "profile_id", skill_ids, best_rated) or set(
        people.filter(_ACTIVE).order_by("-rating_x100", "-rating_count", "id").values_list("pk", flat=True)[:CANDIDATES]
    )
    # The lists may lag a moment behind the profiles: every candidate is checked against the profile itself.
    facts = {
        row["pk"]: row
        for row in people.filter(AmongIds(F("pk"), candidate_ids), _ACTIVE)
        .annotate(overlap=_shared_skills(FreelancerProfile.skills.through, "freelancerprofile_id", skill_ids))
        .values("pk", "rating_x100", "rate_currency", "hourly_rate_minor", "overlap")
    }
    candidate_ids = set(facts)
    overlaps = {pk: row["overlap"] for pk, row in facts.items()}
    hourly = job.budget_type == BudgetType.HOURLY

    def fits(pk):
        row = facts[pk]
        rate = row["hourly_rate_minor"]
        return (
            hourly
            and row["rate_currency"] == job.currency
            and rate is not None
            and (job.budget_min_minor <= rate <= job.budget_max_minor)
        )

    words = [w for w in search.tokens(job.title) if len(w) > 3]
    hits = _text_hits(FreelancerProfile.objects.all(), words, candidate_ids)

    def score(pk):
        return overlaps.get(pk, 0) * 300 + (facts[pk]["rating_x100"] or 0) + fits(pk) * 200 + (pk in hits) * 200

    best = sorted(candidate_ids, key=lambda pk: (score(pk), -pk), reverse=True)[:limit]
    by_id = {p.pk: p for p in FreelancerProfile.objects.filter(pk__in=best).prefetch_related("skills")}
    results = []
    for pk in best:
        profile, overlap = by_id[pk], overlaps.get(pk, 0)
        reasons = []
        if overlap:
            reasons.append(
                ngettext("matches %(n)d of the job's skills", "matches %(n)d of the job's skills", overlap)
                % {"n": overlap}
            )
        if profile.rating is not None:
            reasons.append(_("rated %(rating)s") % {"rating": profile.rating})
        if fits(pk):
            reasons.append(_("rate within your budget"))
        if pk in hits:
            reasons.append(_("profile mentions words from the title"))
        results.append(Recommendation(profile, score(pk) // 100, reasons))
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


# What a "Message" button may start a conversation about (registered with messaging.subjects in AppConfig.ready).


def proposal_to_talk_about(*, pk: int, user) -> Proposal | None:
    return Proposal.objects.select_related("job__client", "freelancer").filter(pk=pk).first()


def offer_to_talk_about(*, pk: int, user) -> ContractOffer | None:
    return ContractOffer.objects.select_related("client", "freelancer", "job", "proposal").filter(pk=pk).first()


def job_to_talk_about(*, pk: int, user) -> Job | None:
    """Only the job's owner messages freelancers about it."""
    return Job.objects.filter(pk=pk, client=user).first()


def visible_reviews_of(user, *, limit: int = 5) -> QuerySet[Review]:
    return (
        Review.objects.filter(subject=user, revealed_at__isnull=False)
        .select_related("author__client_profile", "author__freelancer_profile", "offer__job")
        .order_by("-revealed_at")[:limit]
    )


def offers_awaiting_review(user) -> QuerySet[ContractOffer]:
    window_start = timezone.now() - timedelta(days=14)
    return offers_for(user).filter(state=OfferState.ENDED, ended_at__gte=window_start).exclude(reviews__author=user)
