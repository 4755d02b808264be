"""The marketplace's edits through the API, each through the page that offers it: a client edits a job (the
job edit page's form and service), a freelancer edits or withdraws a proposal, a client withdraws an offer, and
either side reviews an ended offer. Objects the caller may not see are a 404 problem; a well-formed change the
page's form refuses is a 409 with the form's messages, and nothing is saved."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Skill
from api.idempotency import keyed_create
from api.marketplace_serializers import (
    JobUpdateSerializer,
    MyReviewSerializer,
    ProposalUpdateSerializer,
    ReviewCreateSerializer,
)
from api.marketplace_views import _offer, _owned_job, _proposal, _proposals
from api.problems import Refused
from api.serializers import MyJobSerializer, OfferSerializer, ProposalSerializer
from api.views import IDEMPOTENCY, _key
from marketplace import services as market_services
from marketplace.errors import MarketplaceError
from marketplace.forms import JobForm, ProposalForm
from marketplace.models import Job, Review


def _partial(serializer_class, request) -> dict:
    body = serializer_class(data=request.data, partial=True)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _form_errors(form) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def _job_form_values(job: Job) -> dict:
    """The job as its edit page's form would be posted, unchanged."""
    return {
        "title": job.title,
        "description": job.description,
        "skills": [str(pk) for pk in job.skills.values_list("pk", flat=True)],
        "budget_type": job.budget_type,
        "currency": job.currency,
        "budget_min": str(job.budget_min),
        "budget_max": str(job.budget_max),
        "duration": job.duration,
        "experience_level": job.experience_level,
        "visibility": job.visibility,
    }


def _job_changes(data: dict) -> dict:
    changes = {field: str(value) if field.startswith("budget_") else value for field, value in data.items()}
    if "skills" in changes:
        skills = dict(Skill.objects.filter(slug__in=changes["skills"]).values_list("slug", "pk"))
        unknown = sorted(set(changes["skills"]) - set(skills))
        if unknown:
            raise ValidationError({"skills": [_("There is no skill “%(slug)s”.") % {"slug": slug} for slug in unknown]})
        changes["skills"] = [str(skills[slug]) for slug in changes["skills"]]
    return changes


class JobDetail(APIView):
    """GET one of your jobs. PATCH: change the fields you send, as the job edit page does; the page's checks
    apply (a budget of zero, a top below the bottom, a filled job, a new currency once proposals arrived: 409)."""

    parser_classes = [JSONParser]

    @extend_schema(responses=MyJobSerializer)
    def get(self, request, pk):
        return Response(MyJobSerializer(_owned_job(request, pk)).data)

    @extend_schema(request=JobUpdateSerializer, responses=MyJobSerializer)
    def patch(self, request, pk):
        data = _partial(JobUpdateSerializer, request)
        job = _owned_job(request, pk)
        form = JobForm({**_job_form_values(job), **_job_changes(data)})
        if not form.is_valid():
            raise Refused(_("The job was not saved."), errors=_form_errors(form))
        values = form.cleaned_data
        market_services.job_save(
            client=request.user, job=job, skills=list(values["skills"]),
            **{field: values[field] for field in ("title", "description", "budget_type", "currency", "budget_min",
                                                  "budget_max", "duration", "experience_level", "visibility")},
        )  # fmt: skip
        return Response(MyJobSerializer(_owned_job(request, pk)).data)


def _own_proposal(request, pk):
    """The author's proposal: the job's owner may see it but not edit it, as on the page (a 404)."""
    proposal = _proposal(request, pk)
    if proposal.freelancer_id != request.user.pk:
        raise NotFound
    return proposal


class ProposalDetail(APIView):
    """PATCH your proposal's `cover_letter`, `bid` or `duration` (the others and its milestones stay), as its
    edit page does: only until the client has opened it (then a 409)."""

    parser_classes = [JSONParser]

    @extend_schema(request=ProposalUpdateSerializer, responses=ProposalSerializer)
    def patch(self, request, pk):
        data = _partial(ProposalUpdateSerializer, request)
        proposal = _own_proposal(request, pk)
        changes = {field: str(value) if field == "bid" else value for field, value in data.items()}
        form = ProposalForm({**ProposalForm.initial_from(proposal), **changes}, job=proposal.job)
        if not form.is_valid():
            raise Refused(_("The proposal was not saved."), errors=_form_errors(form))
        values = form.cleaned_data
        market_services.proposal_edit(
            proposal=proposal, freelancer=request.user, cover_letter=values["cover_letter"], bid=values["bid"],
            duration=values["duration"], milestones=values["milestones"],
        )  # fmt: skip
        return Response(ProposalSerializer(_proposals().get(pk=pk)).data)


class ProposalWithdraw(APIView):
    """The author withdraws a proposal (not once hired, declined or withdrawn: 409)."""

    @extend_schema(request=None, responses=ProposalSerializer)
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        market_services.proposal_withdraw(proposal=proposal, freelancer=request.user)
        return Response(ProposalSerializer(_proposals().get(pk=pk)).data)


class OfferWithdraw(APIView):
    """The client withdraws an offer the freelancer has not answered yet."""

    @extend_schema(request=None, responses=OfferSerializer)
    def post(self, request, pk):
        offer = _offer(request, pk)
        market_services.offer_withdraw(offer=offer, client=request.user)
        return Response(OfferSerializer(_offer(request, pk)).data)


class OfferReview(APIView):
    """Review the other side of an ended offer, once, within 14 days of its end: `rating` (1 to 5) and `text`.
    It stays hidden from them until both sides have reviewed or the window closes."""

    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=ReviewCreateSerializer,
        responses={201: OpenApiResponse(MyReviewSerializer, description="Your review (also on a replay).")},
    )
    def post(self, request, pk):
        key = _key(request)
        body = ReviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        offer = _offer(request, pk)
        review = keyed_create(
            request, key, action="api_review_submit", object_id=offer.pk, params=data, error=MarketplaceError,
            queryset=Review.objects.filter(author=request.user),
            create=lambda: market_services.review_submit(
                offer=offer, author=request.user, rating=data["rating"], text=data["text"]
            ),
        )  # fmt: skip
        # Read back: writing the second side's review reveals both.
        return Response(MyReviewSerializer(Review.objects.get(pk=review.pk)).data, status=201)
