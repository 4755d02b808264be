"""The JSON API: the same selectors and services as the pages, so every rule has one path. Money actions
need an `Idempotency-Key` header; a retry with the same key does nothing twice."""

import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import services
from api.pagination import NewestFirst
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
# An Idempotency-Key is 1-255 visible ASCII characters (no spaces): the code checks exactly what the schema says.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": IDEMPOTENCY_KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=True,
    description="Your unique key for this action: a retry with the same key and body does nothing twice; the "
    "same key with another body is refused (409). Kept at least 24 hours.",
)
SEARCH_TEXT = OpenApiParameter("q", str, description="Words to search for.")


class JobSearch(ListAPIView):
    """Open public jobs, newest first."""

    permission_classes = [AllowAny]
    serializer_class = JobSerializer
    pagination_class = NewestFirst

    @extend_schema(parameters=[SEARCH_TEXT])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return market.job_matches(market.JobFilters(text=self.request.query_params.get("q", "")))[0]


class FreelancerSearch(ListAPIView):
    """Active freelancers, newest profiles first."""

    permission_classes = [AllowAny]
    serializer_class = FreelancerSerializer
    pagination_class = NewestFirst

    @extend_schema(parameters=[SEARCH_TEXT])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return market.freelancer_matches(market.FreelancerFilters(text=self.request.query_params.get("q", "")))[0]


class Balances(APIView):
    @extend_schema(responses=BalanceSerializer(many=True))
    def get(self, request):
        return Response(BalanceSerializer(user_balances(user=request.user), many=True).data)


class Contracts(ListAPIView):
    """The caller's contracts, newest first."""

    serializer_class = ContractSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return (
            contract_selectors.contracts_for(self.request.user)
            .select_related(*PARTY_PROFILES)
            .prefetch_related("milestones")
        )


class ContractDetail(APIView):
    @extend_schema(responses=ContractSerializer)
    def get(self, request, pk):
        contract = Contract.objects.filter(pk=pk).select_related(*PARTY_PROFILES).prefetch_related("milestones").first()
        if contract is None or not contract.is_party(request.user):
            raise NotFound
        return Response(ContractSerializer(contract).data)


def _milestone(request, pk):
    milestone = contract_selectors.milestones_with_contract().filter(pk=pk).first()
    if milestone is None or not milestone.contract.is_party(request.user):
        raise NotFound
    return milestone


def _key(request) -> str:
    """The Idempotency-Key header, checked against the pattern the schema documents (a refusal is a 400)."""
    key = request.headers.get("Idempotency-Key")
    if key is None or key == "":
        raise ValidationError({"Idempotency-Key": [_("This header is required for money actions.")]})
    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise ValidationError(
            {"Idempotency-Key": [_("Use 1 to 255 visible ASCII characters (letters, digits, punctuation; no spaces).")]}
        )
    return key


class MilestoneFund(APIView):
    @extend_schema(parameters=[IDEMPOTENCY], request=FundSerializer, responses=MilestoneSerializer)
    def post(self, request, pk):
        key = _key(request)
        body = FundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = _milestone(request, pk)
        # A domain error (not the client, wrong state, key reused for another request) becomes a problem.
        contract_services.milestone_fund(
            milestone=milestone, client=request.user, provider=body.validated_data["provider"], idempotency_key=key
        )
        milestone.refresh_from_db()
        return Response(MilestoneSerializer(milestone).data)


class MilestoneApprove(APIView):
    @extend_schema(parameters=[IDEMPOTENCY], request=None, responses=MilestoneSerializer)
    def post(self, request, pk):
        key = _key(request)
        milestone = _milestone(request, pk)
        contract_services.milestone_approve(milestone=milestone, client=request.user, idempotency_key=key)
        milestone.refresh_from_db()
        return Response(MilestoneSerializer(milestone).data)


@login_required
def token_page(request):
    """Create, replace or revoke the signed-in user's API token."""
    from rest_framework.authtoken.models import Token

    if request.method == "POST":
        if request.POST.get("action") == "rotate":
            services.api_token_replace(user=request.user, read_only=bool(request.POST.get("read_only")))
        else:
            services.api_token_revoke(user=request.user)
        return redirect("api:api_token")
    token = Token.objects.filter(user=request.user).select_related("scope").first()
    read_only = bool(token and getattr(token, "scope", None) and token.scope.read_only)
    return render(request, "api/token.html", {"token": token, "read_only": read_only})


class ApiDocs(SpectacularRedocView):
    """The schema drawn for people by Redoc from our own static files (no CDN). Redoc styles itself inline
    and parses in a worker, so this one page widens the site's CSP for styles and blob workers; it is not a
    page users need on a weak link (it weighs what Redoc weighs)."""

    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'self' 'nonce-{request.csp_nonce}'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src blob:; font-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        return response
