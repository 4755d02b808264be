"""Every marketplace write: jobs, invitations, proposals, hiring, offers and reviews. Each runs in one
transaction and refuses, with a MarketplaceError, anything the rules or the state tables do not allow."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import FreelancerProfile, Skill, User
from accounts.services import freelancer_profile_ensure
from common import fragments
from common.registry import Registry
from common.states import move
from ledger.money import MoneyError, format_money, from_minor, to_minor
from marketplace import candidates, search
from marketplace.errors import InvalidTransition, MarketplaceError, NotAllowed
from marketplace.models import (
    JOB_TRANSITIONS,
    OFFER_TRANSITIONS,
    PROPOSAL_TRANSITIONS,
    REVIEW_WINDOW,
    BudgetType,
    ContractOffer,
    Invitation,
    Job,
    JobState,
    OfferState,
    Proposal,
    ProposalMilestone,
    ProposalState,
    Review,
    Visibility,
)


@dataclass(frozen=True)
class MilestonePlan:
    title: str
    amount: Decimal
    due_date: date


def _minor(amount: Decimal, currency: str, label: str) -> int:
    try:
        minor = to_minor(amount, currency)
    except MoneyError as error:
        raise MarketplaceError(str(error)) from None
    if minor <= 0:
        raise MarketplaceError(_("%(label)s must be more than zero.") % {"label": label})
    return minor


# --- Jobs ------------------------------------------------------------------------------------------------


@transaction.atomic
def job_save(
    *,
    client: User,
    title: str,
    description: str,
    skills: list[Skill],
    budget_type: str,
    currency: str,
    budget_min: Decimal,
    budget_max: Decimal,
    duration: str,
    experience_level: str,
    visibility: str = Visibility.PUBLIC,
    publish: bool = False,
    job: Job | None = None,
) -> Job:
    """Create a job (a draft, or open at once with publish=True) or edit one the client owns."""
    if job is not None:
        job = Job.objects.select_for_update().get(pk=job.pk)  # never save a stale state over a newer one
    if job is not None and job.client_id != client.pk:
        raise NotAllowed(_("Only the job's owner can edit it."))
    if job is not None and job.state == JobState.FILLED:
        raise MarketplaceError(_("A filled job cannot be edited; reopen it first."))
    low = _minor(budget_min, currency, _("The budget"))
    high = _minor(budget_max, currency, _("The budget"))
    if high < low:
        raise MarketplaceError(_("The top of the budget range is below its bottom."))
    if job is not None and job.currency != currency and job.proposals.exists():
        raise MarketplaceError(_("The currency cannot change once proposals have arrived."))
    job = job or Job(client=client)
    job.title = title.strip()
    job.description = description.strip()
    job.budget_type = budget_type
    job.currency = currency
    job.budget_min_minor = low
    job.budget_max_minor = high
    job.duration = duration
    job.experience_level = experience_level
    job.visibility = visibility
    job.full_clean(exclude=["search_vector"])
    job.save()
    job.skills.set(skills)
    if publish and job.state == JobState.DRAFT:
        job = job_transition(job=job, client=client, to_state=JobState.OPEN)
    else:
        candidates.job_listing_refresh(job)
    search.index_job(job)
    return job


@transaction.atomic
def job_transition(*, job: Job, client: User, to_state: str) -> Job:
    """Publish, close, reopen or mark filled, following JOB_TRANSITIONS."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.client_id != client.pk:
        raise NotAllowed(_("Only the job's owner can change it."))
    move(
        job,
        to_state,
        JOB_TRANSITIONS,
        lambda current, to: InvalidTransition(
            _("A %(state)s job cannot become %(to)s.") % {"state": JobState(current).label, "to": to}
        ),
    )
    if to_state == JobState.OPEN and job.published_at is None:
        job.published_at = timezone.now()
    job.save(update_fields=["state", "published_at", "updated_at"])
    candidates.job_listing_refresh(job)
    fragments.changed("jobs")
    return job


def job_visible_to(job: Job, user) -> bool:
    if user.is_authenticated and job.client_id == user.pk:
        return True
    if job.state == JobState.DRAFT:
        return False
    if job.is_public:
        return True
    return bool(
        user.is_authenticated
        and (job.invitations.filter(freelancer=user).exists() or job.proposals.filter(freelancer=user).exists())
    )


@transaction.atomic
def invitation_send(*, job: Job, client: User, freelancer: User, message: str = "") -> Invitation:
    if job.client_id != client.pk:
        raise NotAllowed(_("Only the job's owner can invite freelancers."))
    if freelancer.pk == client.pk:
        raise MarketplaceError(_("You cannot invite yourself."))
    if job.state != JobState.OPEN:
        raise MarketplaceError(_("Publish the job before inviting freelancers."))
    if not FreelancerProfile.objects.filter(user=freelancer).exists():
        raise MarketplaceError(_("That account has no freelancer profile."))
    invitation, created = Invitation.objects.get_or_create(
        job=job, freelancer=freelancer, defaults={"message": message.strip()}
    )
    if not created:
        raise MarketplaceError(_("This freelancer is already invited."))
    return invitation


# --- Proposals -------------------------------------------------------------------------------------------


def _check_milestones(milestones: list[MilestonePlan], bid_minor: int, currency: str) -> list[tuple]:
    rows = []
    for plan in milestones:
        if not plan.title.strip():
            raise MarketplaceError(_("Every milestone needs a title."))
        rows.append((plan.title.strip(), _minor(plan.amount, currency, _("A milestone amount")), plan.due_date))
    if rows and sum(amount for _, amount, _ in rows) != bid_minor:
        raise MarketplaceError(
            _("The milestones add up to %(sum)s but the bid is %(bid)s.")
            % {
                "sum": format_money(sum(plan.amount for plan in milestones), currency),
                "bid": format_money(from_minor(bid_minor, currency), currency),
            }
        )
    return rows


def _write_milestones(proposal: Proposal, rows: list[tuple]) -> None:
    proposal.milestones.all().delete()
    ProposalMilestone.objects.bulk_create(
        ProposalMilestone(proposal=proposal, position=n, title=title, amount_minor=amount, due_date=due)
        for n, (title, amount, due) in enumerate(rows, start=1)
    )


@transaction.atomic
def proposal_submit(
    *,
    job: Job,
    freelancer: User,
    cover_letter: str,
    bid: Decimal,
    currency: str,
    duration: str,
    milestones: list[MilestonePlan] | None = None,
) -> Proposal:
    """Send one proposal for an open job the freelancer may see; the bid is in the job's currency."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.client_id == freelancer.pk:
        raise NotAllowed(_("You cannot send a proposal to your own job."))
    if job.state != JobState.OPEN:
        raise MarketplaceError(_("This job is not taking proposals."))
    if not job_visible_to(job, freelancer):
        raise NotAllowed(_("This job is by invitation only."))
    if not cover_letter.strip():
        raise MarketplaceError(_("Write a cover letter: tell the client why you fit this job."))
    if currency != job.currency:
        raise MarketplaceError(_("Bid in the job's currency, %(currency)s.") % {"currency": job.currency})
    bid_minor = _minor(bid, currency, _("The bid"))
    milestones = milestones or []
    if milestones and job.budget_type != BudgetType.FIXED:
        raise MarketplaceError(_("Milestones are for fixed-price jobs."))
    rows = _check_milestones(milestones, bid_minor, currency)
    if Proposal.objects.filter(job=job, freelancer=freelancer).exists():
        raise MarketplaceError(_("You have already sent a proposal for this job."))
    freelancer_profile_ensure(user=freelancer)
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                job=job,
                freelancer=freelancer,
                cover_letter=cover_letter.strip(),
                bid_minor=bid_minor,
                currency=currency,
                duration=duration,
            )
    except IntegrityError:
        raise MarketplaceError(_("You have already sent a proposal for this job.")) from None
    _write_milestones(proposal, rows)
    return proposal


@transaction.atomic
def proposal_edit(
    *,
    proposal: Proposal,
    freelancer: User,
    cover_letter: str,
    bid: Decimal,
    duration: str,
    milestones: list[MilestonePlan] | None = None,
) -> Proposal:
    proposal = Proposal.objects.select_for_update().select_related("job").get(pk=proposal.pk)
    if proposal.freelancer_id != freelancer.pk:
        raise NotAllowed(_("Only the proposal's author can edit it."))
    if not proposal.editable:
        raise MarketplaceError(_("The client has already seen this proposal; it can no longer be edited."))
    if not cover_letter.strip():
        raise MarketplaceError(_("Write a cover letter: tell the client why you fit this job."))
    bid_minor = _minor(bid, proposal.currency, _("The bid"))
    milestones = milestones or []
    if milestones and proposal.job.budget_type != BudgetType.FIXED:
        raise MarketplaceError(_("Milestones are for fixed-price jobs."))
    rows = _check_milestones(milestones, bid_minor, proposal.currency)
    proposal.cover_letter = cover_letter.strip()
    proposal.bid_minor = bid_minor
    proposal.duration = duration
    proposal.save()
    _write_milestones(proposal, rows)
    return proposal


def _proposal_move(proposal: Proposal, to_state: str) -> None:
    move(
        proposal,
        to_state,
        PROPOSAL_TRANSITIONS,
        lambda current, to: InvalidTransition(
            _("A %(state)s proposal cannot be %(to)s.")
            % {"state": ProposalState(current).label.lower(), "to": ProposalState(to).label.lower()}
        ),
    )
    proposal.save(update_fields=["state", "decline_reason", "updated_at"])


def _locked_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("job").get(pk=proposal.pk)


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, freelancer: User) -> Proposal:
    proposal = _locked_proposal(proposal)
    if proposal.freelancer_id != freelancer.pk:
        raise NotAllowed(_("Only the proposal's author can withdraw it."))
    _proposal_move(proposal, ProposalState.WITHDRAWN)
    return proposal


def proposal_mark_viewed(*, proposal: Proposal, viewer: User) -> None:
    """The job's owner opened the proposal: from now on the freelancer cannot edit it."""
    if proposal.job.client_id == viewer.pk and proposal.viewed_at is None:
        Proposal.objects.filter(pk=proposal.pk, viewed_at__isnull=True).update(viewed_at=timezone.now())
        proposal.viewed_at = timezone.now()


@transaction.atomic
def proposal_shortlist(*, proposal: Proposal, client: User) -> Proposal:
    proposal = _locked_proposal(proposal)
    if proposal.job.client_id != client.pk:
        raise NotAllowed(_("Only the job's owner can shortlist proposals."))
    _proposal_move(proposal, ProposalState.SHORTLISTED)
    return proposal


@transaction.atomic
def proposal_decline(*, proposal: Proposal, client: User, reason: str = "") -> Proposal:
    proposal = _locked_proposal(proposal)
    if proposal.job.client_id != client.pk:
        raise NotAllowed(_("Only the job's owner can decline proposals."))
    proposal.decline_reason = reason.strip()[:500]
    _proposal_move(proposal, ProposalState.DECLINED)
    return proposal


@transaction.atomic
def proposal_hire(*, proposal: Proposal, client: User) -> ContractOffer:
    """Hire: freeze the proposal's terms into a ContractOffer for the freelancer to accept. The job stays
    open (a client may hire several people) until the client marks it filled or closes it."""
    proposal = _locked_proposal(proposal)
    job = proposal.job
    if job.client_id != client.pk:
        raise NotAllowed(_("Only the job's owner can hire."))
    if job.state not in (JobState.OPEN, JobState.FILLED):
        raise MarketplaceError(_("Reopen the job before hiring."))
    _proposal_move(proposal, ProposalState.HIRED)
    return ContractOffer.objects.create(
        proposal=proposal,
        job=job,
        client=client,
        freelancer=proposal.freelancer,
        budget_type=job.budget_type,
        currency=proposal.currency,
        amount_minor=proposal.bid_minor,
        milestones=[
            {"title": m.title, "amount_minor": m.amount_minor, "due_date": m.due_date.isoformat()}
            for m in proposal.milestones.all()
        ],
    )


# --- Offers ----------------------------------------------------------------------------------------------


def _offer_move(offer: ContractOffer, to_state: str) -> None:
    move(
        offer,
        to_state,
        OFFER_TRANSITIONS,
        lambda current, to: InvalidTransition(
            _("An offer that is %(state)s cannot become %(to)s.")
            % {"state": OfferState(current).label.lower(), "to": OfferState(to).label.lower()}
        ),
    )


# The apps above the marketplace register here in AppConfig.ready: contracts takes an accepted offer and
# says which contracts a mediator decided against a freelancer (job success counts them).
_OFFER_ACCEPTED: Registry = Registry("accepted offer listeners")
_DISPUTES_LOST: Registry = Registry("lost dispute providers")


def on_offer_accepted(listener) -> None:
    """Call `listener(offer=...)` inside the transaction that accepts an offer."""
    _OFFER_ACCEPTED.register(listener)


def on_disputes_lost(provider) -> None:
    """`provider(freelancer=...)` gives (contract_id, offer_id or None) for each dispute decided against them."""
    _DISPUTES_LOST.register(provider)


@transaction.atomic
def offer_respond(*, offer: ContractOffer, freelancer: User, accept: bool) -> ContractOffer:
    """The freelancer accepts or declines. Accepting is the hand-off point to the contracts app."""
    offer = ContractOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.freelancer_id != freelancer.pk:
        raise NotAllowed(_("Only the freelancer can answer this offer."))
    _offer_move(offer, OfferState.ACCEPTED if accept else OfferState.DECLINED)
    if accept:
        offer.accepted_at = timezone.now()
    offer.save(update_fields=["state", "accepted_at"])
    if accept:
        # The hand-off point: the contracts app turns the accepted offer into an active contract (it
        # registered itself in on_offer_accepted; the marketplace imports nothing from contracts).
        for listener in _OFFER_ACCEPTED:
            listener(offer=offer)
    return offer


@transaction.atomic
def offer_withdraw(*, offer: ContractOffer, client: User) -> ContractOffer:
    offer = ContractOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.client_id != client.pk:
        raise NotAllowed(_("Only the client can withdraw this offer."))
    _offer_move(offer, OfferState.WITHDRAWN)
    offer.save(update_fields=["state"])
    return offer


@transaction.atomic
def offer_end(*, offer: ContractOffer, user: User) -> ContractOffer:
    """End the engagement (either side); this opens the 14-day double-blind review window."""
    offer = ContractOffer.objects.select_for_update().get(pk=offer.pk)
    if user.pk not in (offer.client_id, offer.freelancer_id):
        raise NotAllowed(_("Only the client or the freelancer can end this contract."))
    _offer_move(offer, OfferState.ENDED)
    offer.ended_at = timezone.now()
    offer.save(update_fields=["state", "ended_at"])
    freelancer_stats_refresh(user=offer.freelancer)
    return offer


# --- Reviews ---------------------------------------------------------------------------------------------


@transaction.atomic
def review_submit(*, offer: ContractOffer, author: User, rating: int, text: str = "") -> Review:
    """One review per side, within 14 days of the end. Revealed when both sides have written theirs."""
    offer = ContractOffer.objects.select_for_update().get(pk=offer.pk)
    if author.pk not in (offer.client_id, offer.freelancer_id):
        raise NotAllowed(_("Only the two sides of a contract can review it."))
    if offer.state != OfferState.ENDED:
        raise MarketplaceError(_("Reviews open when the contract ends."))
    if timezone.now() > offer.review_window_ends_at:
        raise MarketplaceError(_("The 14-day review window has closed."))
    if not 1 <= int(rating) <= 5:
        raise MarketplaceError(_("Give a rating from 1 to 5."))
    if Review.objects.filter(offer=offer, author=author).exists():
        raise MarketplaceError(_("You have already reviewed this contract."))
    author_is_client = author.pk == offer.client_id
    review = Review.objects.create(
        offer=offer,
        author=author,
        subject_id=offer.freelancer_id if author_is_client else offer.client_id,
        subject_is_freelancer=author_is_client,
        rating=int(rating),
        text=text.strip(),
    )
    if offer.reviews.count() == 2:
        _reveal(offer.reviews.all())
    return review


def _reveal(reviews) -> int:
    now = timezone.now()
    revealed = list(reviews.filter(revealed_at__isnull=True).select_related("subject"))
    for review in revealed:
        review.revealed_at = now
        review.save(update_fields=["revealed_at"])
    for user in {review.subject for review in revealed if review.subject_is_freelancer}:
        freelancer_stats_refresh(user=user)
    return len(revealed)


@transaction.atomic
def reviews_reveal_due(*, now=None) -> int:
    """Scheduled: reveal reviews whose window has closed even if the other side never wrote one."""
    now = now or timezone.now()
    due = Review.objects.filter(revealed_at__isnull=True, offer__ended_at__lte=now - REVIEW_WINDOW)
    return _reveal(due)


def freelancer_stats_refresh(*, user: User) -> None:
    """Recompute a freelancer's rating and job success from revealed reviews, decided disputes and ended
    contracts.

    Job success = contracts rated 4★ or 5★ in the client's revealed review with no dispute decided against
    the freelancer, divided by contracts that have a revealed client review or a dispute decided against
    the freelancer. A dispute is decided against the freelancer when the mediator gave the freelancer less
    than the disputed amount (a full refund to the client, or any split). Contracts with neither do not
    count either way; a dispute decided wholly for the freelancer does not count against them."""
    profile = FreelancerProfile.objects.filter(user=user).first()
    if profile is None:
        return
    reviews = Review.objects.filter(subject=user, subject_is_freelancer=True, revealed_at__isnull=False)
    stats = reviews.aggregate(count=Count("id"), average=Avg("rating"))
    # One key per contract: marketplace contracts by their offer (reviews belong to the offer), direct
    # contracts (no offer, so no review) by their own id.
    lost = {
        ("offer", offer_id) if offer_id else ("contract", contract_id)
        for provider in _DISPUTES_LOST
        for contract_id, offer_id in provider(freelancer=user)
    }
    rated = dict(reviews.values_list("offer_id", "rating"))
    counted = lost | {("offer", offer_id) for offer_id in rated}
    good = {("offer", offer_id) for offer_id, rating in rated.items() if rating >= 4} - lost
    profile.rating_count = stats["count"]
    profile.rating_x100 = 0 if not stats["count"] else round(Decimal(str(stats["average"])) * 100)
    profile.job_success_pct = None if not counted else round(Decimal(len(good) * 100) / len(counted))
    profile.ended_contracts = ContractOffer.objects.filter(freelancer=user, state=OfferState.ENDED).count()
    profile.save(update_fields=["rating_count", "rating_x100", "job_success_pct", "ended_contracts"])
    candidates.freelancer_listing_refresh(profile)
    fragments.changed("freelancers")
