"""Tax through the API: the fiscal year's estimate and your remittances with their PRC, as the tax and
remittance pages show them; a remittance's PRC number and purpose code are changed by the same books service as
the PRC page. Only the owner sees a remittance; anyone else gets a 404 problem."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.books_serializers import (
    PrcUpdateSerializer,
    RemittanceCreateSerializer,
    RemittanceSerializer,
    TaxEstimateSerializer,
    TaxStatusSerializer,
)
from api.pagination import NewestFirst
from api.problems import Refused
from api.views import IDEMPOTENCY, _key
from books import selectors as books_selectors
from books import services as books_services
from books.models import Remittance
from tax import rules as tax_rules
from tax import selectors as tax_selectors
from tax.models import ServiceKind, TaxProfile
from tax.services import TaxError, tax_profile_update


def _fiscal_year(label: str) -> str:
    """As the tax pages allow: a year with rules, or a later one up to next fiscal year (rules carried forward)."""
    try:
        parsed = tax_rules.parse_label(label)
        if parsed is None:
            raise NotFound
        today = timezone.localdate()
        next_year = tax_rules.fiscal_year_label(tax_rules.fiscal_year(today).ends + timedelta(days=1))
        if parsed not in tax_rules.RULES and parsed > max(next_year, tax_rules.known_years()[-1]):
            raise NotFound
        tax_rules.year_basis(parsed)
    except (ValueError, OverflowError, tax_rules.UnknownFiscalYear):
        raise NotFound from None
    return parsed


class TaxEstimate(APIView):
    """The fiscal year's tax estimate, as the tax page shows it. An estimate from published rates, not advice."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "fiscal_year", {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}$"}, OpenApiParameter.PATH,
                description="July to June, e.g. 2025-26.",
            )
        ],
        responses=TaxEstimateSerializer,
    )  # fmt: skip
    def get(self, request, fiscal_year):
        est = tax_selectors.estimate(user=request.user, fy=_fiscal_year(fiscal_year), today=timezone.localdate())
        withheld = est.withheld_154a_minor + est.withheld_153_minor
        summary = {
            "fiscal_year": est.fy.label,
            "starts": est.fy.starts,
            "ends": est.fy.ends,
            "as_of": est.as_of,
            "rules_from": est.basis.rules_from,
            "rules_carried_forward": est.basis.carried_forward,
            "income": {
                "export_income_minor": est.export_income_minor,
                "domestic_income_minor": est.domestic_income_minor,
                "total_minor": est.export_income_minor + est.domestic_income_minor,
            },
            "expenses_minor": est.expenses_minor,
            "total_tax_minor": est.total_tax_minor,
            "withheld": {
                "withheld_154a_minor": est.withheld_154a_minor,
                "withheld_153_minor": est.withheld_153_minor,
                "total_minor": withheld,
            },
            "still_due_minor": est.export_still_due_minor + est.domestic_due_minor,
            "projected_tax_minor": est.projected_tax_minor,
            "set_aside_minor": est.set_aside_minor,
            "months_left": est.months_left,
            "entries_missing_a_rate": est.missing_rate,
            "disclaimer": str(tax_rules.DISCLAIMER),
        }
        return Response(TaxEstimateSerializer(summary).data)


class Remittances(ListAPIView):
    """GET: your remittances, newest first, with PRC number, purpose code and what each may keep in foreign
    currency. POST: record one, as the remittance page does (the bank's conversion, the tax it withheld)."""

    serializer_class = RemittanceSerializer
    pagination_class = NewestFirst
    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=RemittanceCreateSerializer,
        responses={201: OpenApiResponse(RemittanceSerializer, description="The remittance (also on a replay).")},
    )
    def post(self, request):
        key = _key(request)
        body = RemittanceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # The service keeps the key itself: a replay answers with the remittance the first call recorded.
        remittance = books_services.remittance_record(
            user=request.user, received_on=data["received_on"], currency=data["currency"], amount=data["amount"],
            pkr_net=data["pkr_net"], tax_withheld=data.get("tax_withheld") or 0, from_place=data["from_place"],
            client=data["client"], bank=data["bank"], prc_number=data["prc_number"],
            purpose_code=data["purpose_code"], idempotency_key=key,
        )  # fmt: skip
        response = _remittance_answer(request, remittance.pk)
        response.status_code = 201
        return response

    def get_queryset(self):
        return books_selectors.remittances(user=self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page:
            # The retention allowance is per calendar month: count every remittance of the page's months.
            first = min(r.received_on for r in page).replace(day=1)
            last = books_selectors.month_end(max(r.received_on for r in page))
            months = list(books_selectors.remittances(user=self.request.user, start=first, end=last))
            may_retain = {r.pk: r.may_retain for r in tax_selectors.with_retention(months)}
            for remittance in page:
                remittance.may_retain = may_retain.get(remittance.pk)
        return page


def _remittance(request, pk) -> Remittance:
    remittance = books_selectors.remittances(user=request.user).filter(pk=pk).first()
    if remittance is None:
        raise NotFound
    return remittance


def _remittance_answer(request, pk) -> Response:
    remittance = _remittance(request, pk)
    # The retention allowance is per calendar month: count every remittance of its month, as the list does.
    first = remittance.received_on.replace(day=1)
    month = books_selectors.remittances(user=request.user, start=first, end=books_selectors.month_end(first))
    may_retain = {r.pk: r.may_retain for r in tax_selectors.with_retention(list(month))}
    remittance.may_retain = may_retain.get(remittance.pk)
    return Response(RemittanceSerializer(remittance).data)


class RemittanceDetail(APIView):
    """GET: one of your remittances. PATCH: record the bank's PRC number and purpose code (what the PRC page
    changes; a field left out keeps its value). Moves no money."""

    parser_classes = [JSONParser]

    @extend_schema(responses=RemittanceSerializer)
    def get(self, request, pk):
        return _remittance_answer(request, pk)

    @extend_schema(request=PrcUpdateSerializer, responses=RemittanceSerializer)
    def patch(self, request, pk):
        body = PrcUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        remittance = _remittance(request, pk)
        books_services.remittance_set_prc(
            remittance=remittance,
            prc_number=body.validated_data.get("prc_number", remittance.prc_number),
            purpose_code=body.validated_data.get("purpose_code", remittance.purpose_code),
        )
        return _remittance_answer(request, pk)


class TaxStatus(APIView):
    """GET: your tax status (what you export, Active Taxpayer List dates, PSEB registration), as the tax status
    page shows it (defaults until first saved). PUT: set it, through the page's service; a refusal (leaving the
    list before joining it) is a 409 and nothing is saved. Moves no money."""

    parser_classes = [JSONParser]

    @staticmethod
    def _answer(request) -> Response:
        profile = TaxProfile.objects.filter(user=request.user).first()
        if profile is None:
            profile = TaxProfile(user=request.user, service_kind=ServiceKind.IT)
        return Response(TaxStatusSerializer(profile).data)

    @extend_schema(responses=TaxStatusSerializer)
    def get(self, request):
        return self._answer(request)

    @extend_schema(request=TaxStatusSerializer, responses=TaxStatusSerializer)
    def put(self, request):
        body = TaxStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            tax_profile_update(user=request.user, **body.validated_data)
        except TaxError as error:
            raise Refused(str(error)) from None
        return self._answer(request)
