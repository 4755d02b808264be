"""Thin views: parse input, call one service or selector, render. Objects a viewer may not see are 404s."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.models import FreelancerProfile, Hat
from accounts.selectors import freelancer_profile_or_default
from accounts.services import client_profile_ensure, user_switch_hat
from common import fragments
from common.confirm import confirmed
from common.throttles import throttle
from marketplace import selectors, services
from marketplace.errors import MarketplaceError
from marketplace.forms import (
    DeclineForm,
    FreelancerSearchForm,
    InviteForm,
    JobForm,
    JobSearchForm,
    ProposalForm,
    ReviewForm,
)
from marketplace.models import ContractOffer, Job, JobState, OfferState, Proposal
from marketplace.offer_terms import terms_of_offer, terms_of_proposal


def _wear(request, hat: str) -> None:
    """Acting as a client (posting a job) or freelancer (proposing) switches the hat to match."""
    if request.user.active_hat != hat:
        user_switch_hat(user=request.user, hat=hat)


# --- Jobs ------------------------------------------------------------------------------------------------


def _search_context(request, form, page) -> dict:
    query = request.GET.copy()
    query.pop("page", None)
    filters_used = any(value for key, value in request.GET.items() if key not in ("q", "page", "sort"))
    return {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filters_open": filters_used or (form.is_bound and bool(form.errors)),
    }


def job_search(request):
    return fragments.render_with_part(
        request, "marketplace/job_search.html", "marketplace/_job_search_content.html",
        lambda: _job_search_context(request), name="job_search", groups=("jobs",),
    )  # fmt: skip


def _job_search_context(request) -> dict:
    form = JobSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.JobFilters(
            text=data["q"],
            skills=list(data["skills"]),
            budget_type=data["budget_type"],
            currency=data["currency"],
            budget_min=data["budget_min"],
            budget_max=data["budget_max"],
            posted_within_days=int(data["posted_within"]) if data["posted_within"] else None,
            client_country=data["client_country"],
            sort=data["sort"] or "relevance",
        )
        page = selectors.search_jobs(filters, page=request.GET.get("page", 1))
    elif not form.is_bound:
        page = selectors.search_jobs(selectors.JobFilters(sort="newest"), page=1)
    return _search_context(request, form, page)


def _visible_job(request, pk) -> Job:
    job = get_object_or_404(Job.objects.select_related("client__client_profile").prefetch_related("skills"), pk=pk)
    if not services.job_visible_to(job, request.user):
        raise Http404
    return job


def _owned_job(request, pk) -> Job:
    return get_object_or_404(Job, pk=pk, client=request.user)


def job_detail(request, pk):
    job = _visible_job(request, pk)
    context = {"job": job, "is_owner": request.user.is_authenticated and job.client_id == request.user.pk}
    if context["is_owner"]:
        context["recommended"] = selectors.freelancers_for_job(job, limit=5)
        context["proposal_count"] = job.proposals.exclude(state="withdrawn").count()
    elif request.user.is_authenticated:
        context["my_proposal"] = job.proposals.filter(freelancer=request.user).first()
    return render(request, "marketplace/job_detail.html", context)


def _job_form_save(request, form, job=None):
    data = form.cleaned_data
    return services.job_save(
        client=request.user,
        job=job,
        title=data["title"],
        description=data["description"],
        skills=list(data["skills"]),
        budget_type=data["budget_type"],
        currency=data["currency"],
        budget_min=data["budget_min"],
        budget_max=data["budget_max"],
        duration=data["duration"],
        experience_level=data["experience_level"],
        visibility=data["visibility"],
        publish=job is None and "publish" in request.POST,
    )


@login_required
@throttle("job_post")
def job_create(request):
    form = JobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client_profile_ensure(user=request.user)
            _wear(request, Hat.CLIENT)
            job = _job_form_save(request, form)
        except MarketplaceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Job published.") if job.state == JobState.OPEN else _("Draft saved."))
            return redirect("marketplace:job_detail", pk=job.pk)
    return render(request, "marketplace/job_form.html", {"form": form, "job": None})


@login_required
def job_edit(request, pk):
    job = _owned_job(request, pk)
    initial = {
        "title": job.title,
        "description": job.description,
        "skills": job.skills.all(),
        "budget_type": job.budget_type,
        "currency": job.currency,
        "budget_min": job.budget_min,
        "budget_max": job.budget_max,
        "duration": job.duration,
        "experience_level": job.experience_level,
        "visibility": job.visibility,
    }
    form = JobForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _job_form_save(request, form, job=job)
        except MarketplaceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Job saved."))
            return redirect("marketplace:job_detail", pk=job.pk)
    return render(request, "marketplace/job_form.html", {"form": form, "job": job})


@login_required
@require_POST
def job_state(request, pk):
    job = _owned_job(request, pk)
    try:
        services.job_transition(job=job, client=request.user, to_state=request.POST.get("to", ""))
    except MarketplaceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The job is now %(state)s.") % {"state": Job.objects.get(pk=pk).get_state_display()}
        )
    return redirect("marketplace:job_detail", pk=job.pk)


@login_required
def my_jobs(request):
    return render(request, "marketplace/my_jobs.html", {"jobs": selectors.client_jobs(request.user)})


@login_required
def job_proposals(request, pk):
    job = _owned_job(request, pk)
    return render(request, "marketplace/job_proposals.html", {"job": job, "proposals": selectors.job_proposals(job)})


# --- Proposals -------------------------------------------------------------------------------------------


@login_required
@throttle("proposal")
def proposal_create(request, pk):
    job = _visible_job(request, pk)
    form = ProposalForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_submit(
                job=job,
                freelancer=request.user,
                cover_letter=data["cover_letter"],
                bid=data["bid"],
                currency=job.currency,
                duration=data["duration"],
                milestones=data["milestones"],
            )
        except MarketplaceError as error:
            form.add_error(None, str(error))
        else:
            _wear(request, Hat.FREELANCER)
            messages.success(request, _("Proposal sent."))
            return redirect("marketplace:proposal_detail", pk=proposal.pk)
    return render(request, "marketplace/proposal_form.html", {"form": form, "job": job, "proposal": None})


def _proposal_for(request, pk) -> Proposal:
    """Visible to its author and to the job's owner only."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("job", "freelancer__freelancer_profile").prefetch_related("milestones"), pk=pk
    )
    if request.user.pk not in (proposal.freelancer_id, proposal.job.client_id):
        raise Http404
    return proposal


@login_required
def proposal_detail(request, pk):
    proposal = _proposal_for(request, pk)
    services.proposal_mark_viewed(proposal=proposal, viewer=request.user)
    offer = ContractOffer.objects.filter(proposal=proposal).first()
    return render(
        request,
        "marketplace/proposal_detail.html",
        {
            "proposal": proposal,
            "is_owner": proposal.job.client_id == request.user.pk,
            "decline_form": DeclineForm(),
            "offer": offer,
        },
    )


@login_required
def proposal_edit(request, pk):
    proposal = _proposal_for(request, pk)
    if proposal.freelancer_id != request.user.pk:
        raise Http404
    form = ProposalForm(request.POST or None, job=proposal.job, initial=ProposalForm.initial_from(proposal))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_edit(
                proposal=proposal,
                freelancer=request.user,
                cover_letter=data["cover_letter"],
                bid=data["bid"],
                duration=data["duration"],
                milestones=data["milestones"],
            )
        except MarketplaceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Proposal updated."))
            return redirect("marketplace:proposal_detail", pk=proposal.pk)
    return render(request, "marketplace/proposal_form.html", {"form": form, "job": proposal.job, "proposal": proposal})


@login_required
@require_POST
def proposal_action(request, pk, action):
    proposal = _proposal_for(request, pk)
    try:
        if action == "withdraw":
            services.proposal_withdraw(proposal=proposal, freelancer=request.user)
            messages.success(request, _("Proposal withdrawn."))
        elif action == "shortlist":
            services.proposal_shortlist(proposal=proposal, client=request.user)
            messages.success(request, _("Added to your shortlist."))
        elif action == "decline":
            form = DeclineForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.proposal_decline(proposal=proposal, client=request.user, reason=reason)
            messages.success(request, _("Proposal declined."))
        elif action == "hire":
            if not confirmed(request):
                return render(
                    request,
                    "marketplace/hire_confirm.html",
                    {"proposal": proposal, "terms": terms_of_proposal(proposal)},
                )
            offer = services.proposal_hire(proposal=proposal, client=request.user)
            messages.success(request, _("Offer sent. The freelancer will accept it to start the contract."))
            return redirect("marketplace:offer_detail", pk=offer.pk)
        else:
            raise Http404
    except MarketplaceError as error:
        messages.error(request, str(error))
    return redirect("marketplace:proposal_detail", pk=proposal.pk)


@login_required
def my_proposals(request):
    return render(
        request,
        "marketplace/my_proposals.html",
        {
            "proposals": selectors.freelancer_proposals(request.user),
            "invitations": selectors.freelancer_invitations(request.user),
        },
    )


# --- Freelancers -----------------------------------------------------------------------------------------


def freelancer_search(request):
    return fragments.render_with_part(
        request, "marketplace/freelancer_search.html", "marketplace/_freelancer_search_content.html",
        lambda: _freelancer_search_context(request), name="freelancer_search", groups=("freelancers",),
    )  # fmt: skip


def _freelancer_search_context(request) -> dict:
    form = FreelancerSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.FreelancerFilters(
            text=data["q"],
            skills=list(data["skills"]),
            currency=data["currency"],
            rate_min=data["rate_min"],
            rate_max=data["rate_max"],
            city=data["city"],
            min_rating=Decimal(data["min_rating"]) if data["min_rating"] else None,
            pseb_registered=data["pseb"],
            availability=data["availability"],
            sort=data["sort"] or "relevance",
        )
        page = selectors.search_freelancers(filters, page=request.GET.get("page", 1))
    elif not form.is_bound:
        page = selectors.search_freelancers(selectors.FreelancerFilters(), page=1)
    return _search_context(request, form, page)


@login_required
@throttle("invitation")
def invite(request, slug):
    profile = get_object_or_404(FreelancerProfile, slug=slug, user__is_active=True)
    jobs = Job.objects.filter(client=request.user, state=JobState.OPEN)
    form = InviteForm(request.POST or None, jobs=jobs)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_send(
                job=form.cleaned_data["job"],
                client=request.user,
                freelancer=profile.user,
                message=form.cleaned_data["message"],
            )
        except MarketplaceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Invitation sent to %(name)s.") % {"name": profile.display_name})
            return redirect("marketplace:freelancer_public", slug=profile.slug)
    return render(request, "marketplace/invite.html", {"form": form, "profile": profile, "jobs": jobs})


# --- Offers and reviews ----------------------------------------------------------------------------------


def _offer_for(request, pk) -> ContractOffer:
    try:
        return selectors.offer_for_participant(request.user, pk)
    except ContractOffer.DoesNotExist:
        raise Http404 from None


@login_required
def offers(request):
    return render(request, "marketplace/offers.html", {"offers": selectors.offers_for(request.user)})


@login_required
def offer_detail(request, pk):
    offer = _offer_for(request, pk)
    reviews = list(offer.reviews.all())
    mine = next((r for r in reviews if r.author_id == request.user.pk), None)
    theirs = next((r for r in reviews if r.author_id != request.user.pk), None)
    can_review = (
        offer.state == OfferState.ENDED
        and mine is None
        and offer.review_window_ends_at
        and offer.review_window_ends_at > timezone.now()
    )
    return render(
        request,
        "marketplace/offer_detail.html",
        {
            "offer": offer,
            "is_client": offer.client_id == request.user.pk,
            "my_review": mine,
            "their_review": theirs if theirs and theirs.revealed_at else None,
            "their_review_hidden": bool(theirs and not theirs.revealed_at),
            "review_form": ReviewForm() if can_review else None,
            "terms": terms_of_offer(offer),
        },
    )


@login_required
@require_POST
def offer_action(request, pk, action):
    offer = _offer_for(request, pk)
    try:
        if action in ("accept", "decline"):
            services.offer_respond(offer=offer, freelancer=request.user, accept=action == "accept")
            messages.success(request, _("Offer accepted.") if action == "accept" else _("Offer declined."))
        elif action == "withdraw":
            services.offer_withdraw(offer=offer, client=request.user)
            messages.success(request, _("Offer withdrawn."))
        elif action == "review":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a rating from 1 to 5 stars."))
            else:
                services.review_submit(
                    offer=offer, author=request.user, rating=form.cleaned_data["rating"], text=form.cleaned_data["text"]
                )
                messages.success(
                    request, _("Review saved. It stays hidden until the other side reviews too, or 14 days pass.")
                )
        else:
            raise Http404
    except MarketplaceError as error:
        messages.error(request, str(error))
    return redirect(reverse("marketplace:offer_detail", args=[offer.pk]))


def freelancer_dashboard_context(user) -> dict:
    profile = freelancer_profile_or_default(user=user)
    actions = [
        (
            reverse("marketplace:offer_detail", args=[offer.pk]),
            _("Answer the offer: %(title)s") % {"title": offer.job.title},
        )
        for offer in selectors.offers_for(user).filter(freelancer=user, state=OfferState.OFFERED)[:5]
    ]
    actions += [
        (reverse("marketplace:job_detail", args=[inv.job_id]), _("Invitation: %(title)s") % {"title": inv.job.title})
        for inv in selectors.freelancer_invitations(user)[:5]
    ]
    actions += [
        (
            reverse("marketplace:offer_detail", args=[offer.pk]),
            _("Review your client: %(title)s") % {"title": offer.job.title},
        )
        for offer in selectors.offers_awaiting_review(user)[:5]
    ]
    return {
        "jobs_for_you": selectors.jobs_for_freelancer(profile, limit=5) if profile.pk else [],
        "actions": actions,
        "active_proposals": selectors.freelancer_proposals(user).filter(state__in=["submitted", "shortlisted"])[:5],
        "contracts": selectors.offers_for(user).filter(freelancer=user, state=OfferState.ACCEPTED)[:5],
    }


def client_dashboard_context(user) -> dict:
    return {
        "jobs": selectors.client_jobs(user).exclude(state="closed")[:5],
        "offers": selectors.offers_for(user).filter(client=user, state__in=["offered", "accepted"])[:5],
        "to_review": selectors.offers_awaiting_review(user)[:5],
    }


def freelancer_public(request, slug):
    """A freelancer's public profile and latest visible reviews (accounts' profile, the marketplace's reviews: the
    page lives above both). Visitors get the kept page without a query; it is renewed by any profile change
    ("freelancers") and by staff writes ("people": an account switched off by staff)."""

    def context():
        try:
            profile = account_selectors.freelancer_public_profile(slug=slug)
        except FreelancerProfile.DoesNotExist:
            raise Http404 from None
        return {"profile": profile, "reviews": selectors.visible_reviews_of(profile.user, limit=5)}

    return fragments.render_with_part(
        request, "accounts/freelancer_public.html", "accounts/_freelancer_public_content.html", context,
        groups=("freelancers", "people"),
    )  # fmt: skip
