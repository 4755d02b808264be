"""Contract actions through the API: deliver, ask for changes, hourly weeks and time, disputes and evidence.
Each calls the same contracts service as the page does, after the same object check (a stranger gets 404)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import keyed_create
from api.pagination import NewestFirst
from api.serializers import (
    ChangesSerializer,
    DisputeOpenSerializer,
    DisputeSerializer,
    EvidenceCreateSerializer,
    EvidenceSerializer,
    MilestoneSerializer,
    SubmitSerializer,
    SubmitUploadSerializer,
    TimeEntryCreateSerializer,
    TimeEntrySerializer,
    WeekDetailSerializer,
    WeekSerializer,
)
from api.views import IDEMPOTENCY, _key, _milestone
from contracts import services as contract_services
from contracts.errors import ContractError
from contracts.models import Contract, Dispute, Evidence, HourlyWeek, TimeEntry


def _valid(serializer_class, request):
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _contract(request, pk) -> Contract:
    contract = Contract.objects.filter(pk=pk).first()
    if contract is None or not contract.is_party(request.user):
        raise NotFound
    return contract


def _weeks():
    return HourlyWeek.objects.select_related("contract").prefetch_related("entries")


def _week(request, pk) -> HourlyWeek:
    week = _weeks().filter(pk=pk).first()
    if week is None or not week.contract.is_party(request.user):
        raise NotFound
    return week


def _disputes():
    return Dispute.objects.select_related("contract").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("author").order_by("id"))
    )


def _dispute(request, pk) -> Dispute:
    # Parties and mediators, as the dispute page allows.
    dispute = _disputes().filter(pk=pk).first()
    if dispute is None or not (dispute.contract.is_party(request.user) or request.user.is_staff):
        raise NotFound
    return dispute


def _milestone_answer(milestone) -> Response:
    milestone.refresh_from_db()
    return Response(MilestoneSerializer(milestone).data)


class MilestoneSubmit(APIView):
    """The freelancer delivers a funded milestone: a message, and optionally one file (multipart)."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request={"application/json": SubmitSerializer, "multipart/form-data": SubmitUploadSerializer},
        responses=MilestoneSerializer,
    )
    def post(self, request, pk):
        multipart = request.content_type.startswith("multipart/")
        data = _valid(SubmitUploadSerializer if multipart else SubmitSerializer, request)
        milestone = _milestone(request, pk)
        contract_services.milestone_submit(
            milestone=milestone, freelancer=request.user, message=data["message"], file=data.get("file")
        )
        return _milestone_answer(milestone)


class MilestoneRequestChanges(APIView):
    """The client sends a delivery back with a note; the milestone stays funded."""

    @extend_schema(request=ChangesSerializer, responses=MilestoneSerializer)
    def post(self, request, pk):
        data = _valid(ChangesSerializer, request)
        milestone = _milestone(request, pk)
        contract_services.milestone_request_changes(milestone=milestone, client=request.user, note=data["note"])
        return _milestone_answer(milestone)


class ContractWeeks(ListAPIView):
    """An hourly contract's weeks, newest first."""

    serializer_class = WeekSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        contract = _contract(self.request, self.kwargs["pk"])
        return _weeks().filter(contract=contract)


class WeekDetail(APIView):
    @extend_schema(responses=WeekDetailSerializer)
    def get(self, request, pk):
        return Response(WeekDetailSerializer(_week(request, pk)).data)


class TimeEntryAdd(APIView):
    """The freelancer logs time on an hourly contract (a day of a week still open for logging)."""

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=TimeEntryCreateSerializer,
        responses={201: TimeEntrySerializer},
    )
    def post(self, request, pk):
        key = _key(request)
        data = _valid(TimeEntryCreateSerializer, request)
        contract = _contract(request, pk)
        entry = keyed_create(
            request,
            key,
            action="api_time_entry_add",
            object_id=contract.pk,
            params=data,
            error=ContractError,
            queryset=TimeEntry.objects.all(),
            create=lambda: contract_services.time_entry_add(
                contract=contract, freelancer=request.user, day=data["day"], hours=data["hours"], memo=data["memo"]
            ),
        )
        return Response(TimeEntrySerializer(entry).data, status=201)


class WeekSubmit(APIView):
    """The freelancer sends a week for review before its Sunday. Moves no money."""

    @extend_schema(request=None, responses=WeekDetailSerializer)
    def post(self, request, pk):
        week = _week(request, pk)
        contract_services.week_submit(week=week, freelancer=request.user)
        return Response(WeekDetailSerializer(_weeks().get(pk=week.pk)).data)


class WeekApprove(APIView):
    """The client approves a week in review: it is billed from escrow at once."""

    @extend_schema(parameters=[IDEMPOTENCY], request=None, responses=WeekDetailSerializer)
    def post(self, request, pk):
        key = _key(request)
        week = _week(request, pk)
        contract_services.week_approve(week=week, client=request.user, idempotency_key=key)
        return Response(WeekDetailSerializer(_weeks().get(pk=week.pk)).data)


def _open_dispute(request, find) -> Response:
    """`find()` gives {"milestone": …} or {"week": …} after the key and the body are checked."""
    key = _key(request)
    data = _valid(DisputeOpenSerializer, request)
    what = find()
    milestone, week = what.get("milestone"), what.get("week")
    target = milestone or week
    contract = target.contract
    dispute = keyed_create(
        request,
        key,
        action="api_dispute_milestone" if milestone else "api_dispute_week",
        object_id=target.pk,
        params=data,
        error=ContractError,
        queryset=_disputes(),
        create=lambda: contract_services.dispute_open(
            contract=contract, user=request.user, milestone=milestone, week=week, reason=data["reason"]
        ),
    )
    return Response(DisputeSerializer(_disputes().get(pk=dispute.pk)).data, status=201)


DISPUTE_OPENED = OpenApiResponse(DisputeSerializer, description="The dispute (also on a replay of the same key).")


class MilestoneDispute(APIView):
    """Either side disputes a funded or delivered milestone; its escrow is frozen until a mediator decides."""

    @extend_schema(parameters=[IDEMPOTENCY], request=DisputeOpenSerializer, responses={201: DISPUTE_OPENED})
    def post(self, request, pk):
        return _open_dispute(request, lambda: {"milestone": _milestone(request, pk)})


class WeekDispute(APIView):
    """Either side disputes a week still in its review period; it is not billed until a mediator decides."""

    @extend_schema(parameters=[IDEMPOTENCY], request=DisputeOpenSerializer, responses={201: DISPUTE_OPENED})
    def post(self, request, pk):
        return _open_dispute(request, lambda: {"week": _week(request, pk)})


class DisputeDetail(APIView):
    @extend_schema(responses=DisputeSerializer)
    def get(self, request, pk):
        return Response(DisputeSerializer(_dispute(request, pk)).data)


class EvidenceAdd(APIView):
    """A party (or a mediator) adds written evidence to an open dispute."""

    @extend_schema(parameters=[IDEMPOTENCY], request=EvidenceCreateSerializer, responses={201: EvidenceSerializer})
    def post(self, request, pk):
        key = _key(request)
        data = _valid(EvidenceCreateSerializer, request)
        dispute = _dispute(request, pk)
        evidence = keyed_create(
            request,
            key,
            action="api_evidence_add",
            object_id=dispute.pk,
            params=data,
            error=ContractError,
            queryset=Evidence.objects.select_related("author"),
            create=lambda: contract_services.evidence_add(dispute=dispute, user=request.user, text=data["text"]),
        )
        return Response(EvidenceSerializer(evidence).data, status=201)
