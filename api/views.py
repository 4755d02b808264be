"""The JSON API: the same selectors and services as the pages, so every rule has one path. Money actions
need an `Idempotency-Key` header; a retry with the same key does nothing twice."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers import (
    BalanceSerializer,
    ContractSerializer,
    FreelancerSerializer,
    FundSerializer,
    JobSerializer,
    MilestoneSerializer,
)
from contracts import selectors as contract_selectors
from contracts import services as contract_services
from contracts.errors import ContractError, NotAllowed
from contracts.models import Contract
from ledger.selectors import user_balances
from marketplace import selectors as market

# What a party's display name is read from (User.name), fetched with the contract.
PARTY_PROFILES = (
    "client__freelancer_profile",
    "client__client_profile",
    "freelancer__freelancer_profile",
    "freelancer__client_profile",
)
IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)


def _page(request, page, serializer):
    return Response(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": serializer(page.object_list, many=True).data,
        }
    )


class JobSearch(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str), OpenApiParameter("sort", str), OpenApiParameter("page", int)],
        responses=JobSerializer(many=True),
    )
    def get(self, request):
        filters = market.JobFilters(
            text=request.query_params.get("q", ""), sort=request.query_params.get("sort", "relevance")
        )
        return _page(request, market.search_jobs(filters, page=request.query_params.get("page", 1)), JobSerializer)


class FreelancerSearch(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str), OpenApiParameter("sort", str), OpenApiParameter("page", int)],
        responses=FreelancerSerializer(many=True),
    )
    def get(self, request):
        filters = market.FreelancerFilters(
            text=request.query_params.get("q", ""), sort=request.query_params.get("sort", "relevance")
        )
        page = market.search_freelancers(filters, page=request.query_params.get("page", 1))
        return _page(request, page, FreelancerSerializer)


class Balances(APIView):
    @extend_schema(responses=BalanceSerializer(many=True))
    def get(self, request):
        return Response(BalanceSerializer(user_balances(user=request.user), many=True).data)


class Contracts(APIView):
    @extend_schema(responses=ContractSerializer(many=True))
    def get(self, request):
        contracts = (
            contract_selectors.contracts_for(request.user)
            .select_related(*PARTY_PROFILES)
            .prefetch_related("milestones")
        )
        return Response(ContractSerializer(contracts, many=True).data)


class ContractDetail(APIView):
    @extend_schema(responses=ContractSerializer)
    def get(self, request, pk):
        contract = Contract.objects.filter(pk=pk).select_related(*PARTY_PROFILES).prefetch_related("milestones").first()
        if contract is None or not contract.is_party(request.user):
            raise Http404
        return Response(ContractSerializer(contract).data)


def _milestone(request, pk):
    milestone = contract_selectors.milestones_with_contract().filter(pk=pk).first()
    if milestone is None or not milestone.contract.is_party(request.user):
        raise Http404
    return milestone


def _key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ValidationError({"Idempotency-Key": "This header is required for money actions."})
    return key


def _act(action):
    try:
        result = action()
    except NotAllowed as error:
        return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)
    except ContractError as error:
        return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
    return result


class MilestoneFund(APIView):
    @extend_schema(parameters=[IDEMPOTENCY], request=FundSerializer, responses=MilestoneSerializer)
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        body = FundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = _key(request)
        result = _act(
            lambda: contract_services.milestone_fund(
                milestone=milestone, client=request.user, provider=body.validated_data["provider"], idempotency_key=key
            )
        )
        if isinstance(result, Response):
            return result
        milestone.refresh_from_db()
        return Response(MilestoneSerializer(milestone).data)


class MilestoneApprove(APIView):
    @extend_schema(parameters=[IDEMPOTENCY], request=None, responses=MilestoneSerializer)
    def post(self, request, pk):
        milestone = _milestone(request, pk)
        key = _key(request)
        result = _act(
            lambda: contract_services.milestone_approve(milestone=milestone, client=request.user, idempotency_key=key)
        )
        if isinstance(result, Response):
            return result
        milestone.refresh_from_db()
        return Response(MilestoneSerializer(milestone).data)


@login_required
def token_page(request):
    """Create, replace or revoke the signed-in user's API token."""
    from rest_framework.authtoken.models import Token

    if request.method == "POST":
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            if request.POST.get("action") == "rotate":
                Token.objects.create(user=request.user)
        return redirect("api_token")
    return render(request, "api/token.html", {"token": Token.objects.filter(user=request.user).first()})
