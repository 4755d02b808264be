"""The marketplace through the API: a client's jobs, proposals and offers. The same marketplace services and
object checks as the pages (a job's proposals are its owner's; a proposal is its author's and the job owner's;
an offer is its two parties'); anyone else gets a 404 problem."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts.models import FreelancerProfile, Skill
from api.idempotency import keyed_create
from api.pagination import NewestFirst
from api.profile_serializers import SLUG_PATTERN
from api.serializers import (
    DeclineSerializer,
    InvitationSerializer,
    InviteSerializer,
    JobCreateSerializer,
    MyJobSerializer,
    OfferSerializer,
    ProposalCreateSerializer,
    ProposalSerializer,
)
from api.views import IDEMPOTENCY, _key
from common.throttles import throttle_hit
from marketplace import selectors as market
from marketplace import services as market_services
from marketplace.errors import MarketplaceError
from marketplace.models import ContractOffer, Invitation, Job, JobState, Proposal


def _valid(serializer_class, request):
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _owned_job(request, pk) -> Job:
    job = market.client_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise NotFound
    return job


def _visible_job(request, pk) -> Job:
    job = Job.objects.filter(pk=pk).first()
    if job is None or not market_services.job_visible_to(job, request.user):
        raise NotFound
    return job


def _proposals():
    return Proposal.objects.select_related("job", "freelancer__freelancer_profile", "freelancer__client_profile")


def _proposal(request, pk) -> Proposal:
    proposal = _proposals().filter(pk=pk).first()
    if proposal is None or request.user.pk not in (proposal.freelancer_id, proposal.job.client_id):
        raise NotFound
    return proposal


def _offer(request, pk) -> ContractOffer:
    offer = market.offers_for(request.user).select_related("proposal").filter(pk=pk).first()
    if offer is None:
        raise NotFound
    return offer


class MyJobs(ListAPIView):
    """The caller's own jobs (as a client), newest first; POST creates one (a draft, or open with publish)."""

    serializer_class = MyJobSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return market.client_jobs(self.request.user).order_by()

    @extend_schema(parameters=[IDEMPOTENCY], request=JobCreateSerializer, responses={201: MyJobSerializer})
    def post(self, request):
        key = _key(request)
        data = _valid(JobCreateSerializer, request)
        skills = list(Skill.objects.filter(slug__in=data["skills"]))
        unknown = sorted(set(data["skills"]) - {skill.slug for skill in skills})
        if unknown:
            raise ValidationError({"skills": [_("There is no skill “%(slug)s”.") % {"slug": slug} for slug in unknown]})

        def create():
            account_services.client_profile_ensure(user=request.user)
            try:
                return market_services.job_save(
                    client=request.user,
                    title=data["title"],
                    description=data["description"],
                    skills=skills,
                    budget_type=data["budget_type"],
                    currency=data["currency"],
                    budget_min=data["budget_min"],
                    budget_max=data["budget_max"],
                    duration=data["duration"],
                    experience_level=data["experience_level"],
                    visibility=data["visibility"],
                    publish=data["publish"],
                )
            except DjangoValidationError as error:
                raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None

        params = {**data, "skills": ",".join(sorted(data["skills"]))}
        job = keyed_create(
            request, key, action="api_job_create", object_id=None, params=params, error=MarketplaceError,
            queryset=Job.objects.all(), create=create,
        )  # fmt: skip
        return Response(MyJobSerializer(_owned_job(request, job.pk)).data, status=201)


def _job_move(to_state):
    class JobMove(APIView):
        @extend_schema(request=None, responses=MyJobSerializer)
        def post(self, request, pk):
            job = _owned_job(request, pk)
            market_services.job_transition(job=job, client=request.user, to_state=to_state)
            return Response(MyJobSerializer(_owned_job(request, pk)).data)

    JobMove.__name__ = JobMove.__qualname__ = f"Job{to_state.title()}"
    JobMove.__doc__ = {JobState.OPEN: "Publish a draft (or reopen a closed job).", JobState.CLOSED: "Close a job."}[
        to_state
    ]
    return JobMove


JobPublish = _job_move(JobState.OPEN)
JobClose = _job_move(JobState.CLOSED)


class JobProposals(ListAPIView):
    """GET: the proposals for your job (its owner only). POST: send your proposal for an open job."""

    serializer_class = ProposalSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        job = _owned_job(self.request, self.kwargs["pk"])
        return market.job_proposals(job).select_related("job").order_by()

    @extend_schema(parameters=[IDEMPOTENCY], request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def post(self, request, pk):
        key = _key(request)
        data = _valid(ProposalCreateSerializer, request)
        job = _visible_job(request, pk)
        proposal = keyed_create(
            request, key, action="api_proposal_submit", object_id=job.pk, params=data, error=MarketplaceError,
            queryset=_proposals(),
            create=lambda: market_services.proposal_submit(
                job=job, freelancer=request.user, cover_letter=data["cover_letter"], bid=data["bid"],
                currency=job.currency, duration=data["duration"],
            ),
        )  # fmt: skip
        return Response(ProposalSerializer(_proposals().get(pk=proposal.pk)).data, status=201)


class MyProposals(ListAPIView):
    """The proposals you sent (as a freelancer), newest first."""

    serializer_class = ProposalSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return (
            market.freelancer_proposals(self.request.user).select_related("freelancer__freelancer_profile").order_by()
        )


class ProposalShortlist(APIView):
    """The job's owner shortlists a proposal."""

    @extend_schema(request=None, responses=ProposalSerializer)
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        market_services.proposal_shortlist(proposal=proposal, client=request.user)
        return Response(ProposalSerializer(_proposals().get(pk=pk)).data)


class ProposalDecline(APIView):
    """The job's owner declines a proposal, with an optional reason."""

    @extend_schema(request=DeclineSerializer, responses=ProposalSerializer)
    def post(self, request, pk):
        data = _valid(DeclineSerializer, request)
        proposal = _proposal(request, pk)
        market_services.proposal_decline(proposal=proposal, client=request.user, reason=data["reason"])
        return Response(ProposalSerializer(_proposals().get(pk=pk)).data)


class ProposalHire(APIView):
    """The job's owner sends an offer on a proposal's terms; the freelancer accepts it to start the contract."""

    @extend_schema(parameters=[IDEMPOTENCY], request=None, responses={201: OfferSerializer})
    def post(self, request, pk):
        key = _key(request)
        proposal = _proposal(request, pk)
        offer = keyed_create(
            request, key, action="api_proposal_hire", object_id=proposal.pk, params={}, error=MarketplaceError,
            queryset=ContractOffer.objects.all(),
            create=lambda: market_services.proposal_hire(proposal=proposal, client=request.user),
        )  # fmt: skip
        return Response(OfferSerializer(_offer(request, offer.pk)).data, status=201)


class MyOffers(ListAPIView):
    """Offers you sent (as a client) or received (as a freelancer), newest first."""

    serializer_class = OfferSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return market.offers_for(self.request.user).select_related("proposal").order_by()


def _offer_answer(accept: bool):
    class OfferAnswer(APIView):
        @extend_schema(request=None, responses=OfferSerializer)
        def post(self, request, pk):
            offer = _offer(request, pk)
            market_services.offer_respond(offer=offer, freelancer=request.user, accept=accept)
            return Response(OfferSerializer(_offer(request, pk)).data)

    OfferAnswer.__name__ = OfferAnswer.__qualname__ = "OfferAccept" if accept else "OfferDecline"
    OfferAnswer.__doc__ = (
        "The freelancer accepts the offer: the contract starts." if accept else "The freelancer declines the offer."
    )
    return OfferAnswer


OfferAccept = _offer_answer(True)
OfferDecline = _offer_answer(False)


# --- Invitations -----------------------------------------------------------------------------------------


class Invite(APIView):
    """Invite the freelancer at this address to one of your open jobs, with an optional message; limited as on
    the page (`429`). Inviting the same freelancer to the same job again is a 409."""

    @extend_schema(
        parameters=[
            IDEMPOTENCY,
            OpenApiParameter("slug", {"type": "string", "pattern": SLUG_PATTERN}, OpenApiParameter.PATH),
        ],
        request=InviteSerializer,
        responses={201: OpenApiResponse(InvitationSerializer, description="The invitation (also on a replay).")},
    )
    def post(self, request, slug):
        key = _key(request)
        data = _valid(InviteSerializer, request)
        profile = FreelancerProfile.objects.filter(slug=slug, user__is_active=True).select_related("user").first()
        if profile is None:
            raise NotFound
        job = _owned_job(request, data["job"])
        refusal = throttle_hit("invitation", str(request.user.pk))  # the page's limit, counted in the same place
        if refusal:
            raise Throttled(wait=refusal.retry_after, detail=_("You are sending invitations too quickly."))
        invitation = keyed_create(
            request, key, action="api_invitation_send", object_id=profile.pk, params=data, error=MarketplaceError,
            queryset=_invitations(),
            create=lambda: market_services.invitation_send(
                job=job, client=request.user, freelancer=profile.user, message=data["message"]
            ),
        )  # fmt: skip
        return Response(InvitationSerializer(_invitations().get(pk=invitation.pk)).data, status=201)


def _invitations():
    return Invitation.objects.select_related("job__client__client_profile")


class MyInvitations(ListAPIView):
    """The invitations you received (as a freelancer) to jobs still open that you have not proposed on yet, as
    your proposals page lists them; newest first."""

    serializer_class = InvitationSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return market.freelancer_invitations(self.request.user).order_by()
