"""The freelancer's books, tax estimate and messages through the API: the same books, tax and messaging
services and selectors as the pages. Books and tax are the owner's alone; a conversation is its two people's;
anyone else gets a 404 problem. Creating POSTs need an Idempotency-Key."""

import hashlib
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.books_serializers import (
    MONTH_PATTERN,
    BudgetSerializer,
    BudgetSetSerializer,
    ConversationSerializer,
    EntryQuerySerializer,
    EntrySerializer,
    ExpenseCreateSerializer,
    ExpenseUploadSerializer,
    ImportCreateSerializer,
    ImportSerializer,
    IncomeCreateSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    RemittanceSerializer,
    TaxEstimateSerializer,
)
from api.idempotency import keyed_create
from api.pagination import NewestFirst
from api.views import IDEMPOTENCY, _key
from books import imports as books_imports
from books import selectors as books_selectors
from books import services as books_services
from books.errors import BooksError
from books.models import Entry, EntryKind, StatementImport
from common.throttles import throttle_hit
from messaging import selectors as messaging_selectors
from messaging import services as messaging_services
from messaging.errors import MessagingError
from messaging.models import Conversation, Message
from tax import rules as tax_rules
from tax import selectors as tax_selectors


def _valid(serializer_class, data):
    body = serializer_class(data=data)
    body.is_valid(raise_exception=True)
    return body.validated_data


# --- Books --------------------------------------------------------------------------------------------------


def _entry(request, pk) -> Entry:
    entry = books_selectors.entries(user=request.user).filter(pk=pk).first()
    if entry is None:
        raise NotFound
    return entry


def _import(request, pk) -> StatementImport:
    imp = StatementImport.objects.filter(pk=pk, user=request.user).first()
    if imp is None:
        raise NotFound
    return imp


ENTRY_FILTERS = [
    OpenApiParameter("kind", str, enum=EntryKind.values, description="Only income, or only expenses."),
    OpenApiParameter("month", {"type": "string", "pattern": MONTH_PATTERN}, description="Only this month: YYYY-MM."),
    OpenApiParameter("start", {"type": "string", "format": "date"}, description="On or after this day."),
    OpenApiParameter("end", {"type": "string", "format": "date"}, description="On or before this day."),
]


class Entries(ListAPIView):
    """Your book entries (income and expenses), newest first; `month` and `start`/`end` narrow them together."""

    serializer_class = EntrySerializer
    pagination_class = NewestFirst

    @extend_schema(parameters=ENTRY_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = _valid(EntryQuerySerializer, self.request.query_params.dict())  # "" is a value, not absent
        start, end = query.get("start"), query.get("end")
        if month := query.get("month"):
            first = date(int(month[:4]), int(month[5:]), 1)
            last = books_selectors.month_end(first)
            start, end = max(start or first, first), min(end or last, last)
        return books_selectors.entries(user=self.request.user, start=start, end=end, kind=query.get("kind", ""))


class EntryDetail(APIView):
    @extend_schema(responses=EntrySerializer)
    def get(self, request, pk):
        return Response(EntrySerializer(_entry(request, pk)).data)


ENTRY_RECORDED = OpenApiResponse(EntrySerializer, description="The entry (also on a replay of the same key).")


class ExpenseAdd(APIView):
    """Record an expense paid from one of your accounts; JSON, or multipart with an optional `receipt`."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request={"application/json": ExpenseCreateSerializer, "multipart/form-data": ExpenseUploadSerializer},
        responses={201: ENTRY_RECORDED},
    )
    def post(self, request):
        key = _key(request)
        multipart = request.content_type.startswith("multipart/")
        data = _valid(ExpenseUploadSerializer if multipart else ExpenseCreateSerializer, request.data)
        # The service keeps the key itself: a replay answers with the entry the first call recorded.
        entry = books_services.expense_record(
            user=request.user, occurred_on=data["occurred_on"], amount=data["amount"], currency=data["currency"],
            category=data["category"], note=data["note"], place=data["place"], receipt=data.get("receipt"),
            idempotency_key=key,
        )  # fmt: skip
        return Response(EntrySerializer(_entry(request, entry.pk)).data, status=201)


class IncomeAdd(APIView):
    """Record income received outside Kamai into one of your accounts."""

    @extend_schema(parameters=[IDEMPOTENCY], request=IncomeCreateSerializer, responses={201: ENTRY_RECORDED})
    def post(self, request):
        key = _key(request)
        data = _valid(IncomeCreateSerializer, request.data)
        entry = books_services.income_record(
            user=request.user, occurred_on=data["occurred_on"], amount=data["amount"], currency=data["currency"],
            client=data["client"], place=data["place"], tax_withheld=data.get("tax_withheld") or 0,
            note=data["note"], idempotency_key=key,
        )  # fmt: skip
        return Response(EntrySerializer(_entry(request, entry.pk)).data, status=201)


class ImportAdd(APIView):
    """Upload a statement (multipart `file`, optional `source_format`): a small one is imported at once, a large
    one in the background (follow it at `/api/books/imports/{id}/`); an unrecognised CSV waits for its columns."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request={"multipart/form-data": ImportCreateSerializer},
        responses={201: OpenApiResponse(ImportSerializer, description="The import (also on a replay of the key).")},
    )
    def post(self, request):
        key = _key(request)
        data = _valid(ImportCreateSerializer, request.data)
        upload = data["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        imp = keyed_create(
            request, key, action="api_statement_import", object_id=None,
            params={"source_format": data["source_format"], "file": digest.hexdigest()}, error=BooksError,
            queryset=StatementImport.objects.filter(user=request.user),
            create=lambda: books_imports.statement_import_create(
                user=request.user, source_format=data["source_format"], upload=upload
            ),
        )  # fmt: skip
        return Response(ImportSerializer(_import(request, imp.pk)).data, status=201)


class ImportDetail(APIView):
    """An import's state and progress, as its page shows them: rows done, added and skipped, or its errors."""

    @extend_schema(responses=ImportSerializer)
    def get(self, request, pk):
        return Response(ImportSerializer(_import(request, pk)).data)


class BudgetView(APIView):
    """This month's budget per expense category beside what was spent; PUT sets every category at once."""

    def _answer(self, request) -> Response:
        month = timezone.localdate().replace(day=1)
        lines = books_selectors.budget_actuals(user=request.user, month=month)
        return Response(BudgetSerializer({"month": month, "lines": lines}).data)

    @extend_schema(responses=BudgetSerializer)
    def get(self, request):
        return self._answer(request)

    @extend_schema(request=BudgetSetSerializer, responses=BudgetSerializer)
    def put(self, request):
        data = _valid(BudgetSetSerializer, request.data)
        amounts = {category: data.get(category, 0) for category in BudgetSetSerializer().fields}
        books_services.budgets_set(user=request.user, amounts=amounts)
        return self._answer(request)


# --- Tax ----------------------------------------------------------------------------------------------------


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
    """Your remittances, newest first, with PRC number, purpose code and what each may keep in foreign currency."""

    serializer_class = RemittanceSerializer
    pagination_class = NewestFirst

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


# --- Messages -----------------------------------------------------------------------------------------------


def _conversation(request, pk) -> Conversation:
    try:
        return messaging_selectors.conversation_for_participant(request.user, pk)
    except Conversation.DoesNotExist:
        raise NotFound from None


class Conversations(ListAPIView):
    """Your conversations, newest first, each with the other person's name and your unread count."""

    serializer_class = ConversationSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return messaging_selectors.inbox(self.request.user)


class ConversationMessages(ListAPIView):
    """GET: a conversation's messages, newest first (reading them here does not mark them read).
    POST: send a message, limited as on the page."""

    serializer_class = MessageSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        conversation = _conversation(self.request, self.kwargs["pk"])
        return Message.objects.filter(conversation=conversation).select_related(
            "sender__freelancer_profile", "sender__client_profile"
        )

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=MessageCreateSerializer,
        responses={201: OpenApiResponse(MessageSerializer, description="The message (also on a replay of the key).")},
    )
    def post(self, request, pk):
        key = _key(request)
        data = _valid(MessageCreateSerializer, request.data)
        conversation = _conversation(request, pk)
        # The page's limit on messages ("message"), counted in the same place.
        refusal = throttle_hit("message", str(request.user.pk))
        if refusal:
            raise Throttled(wait=refusal.retry_after, detail=_("You are sending messages too quickly."))
        message = keyed_create(
            request, key, action="api_message_send", object_id=conversation.pk, params=data, error=MessagingError,
            queryset=Message.objects.all(),
            create=lambda: messaging_services.message_send(
                conversation=conversation, sender=request.user, body=data["body"]
            ),
        )  # fmt: skip
        message = self.get_queryset().get(pk=message.pk)
        return Response(MessageSerializer(message, context={"request": request}).data, status=201)
