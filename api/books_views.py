"""The freelancer's books and messages through the API: the same books and messaging services and selectors as
the pages (entries, expenses, income, statement imports with their column mapping, categories and their rules,
the budget, the cash-flow forecast). Books are the owner's alone; a conversation is its two people's; anyone
else gets a 404 problem. Creating POSTs and those that move money need an Idempotency-Key."""

import hashlib
from datetime import date

from django.db import transaction
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
    CategoryRuleCreateSerializer,
    CategoryRuleSerializer,
    ConversationSerializer,
    EntryQuerySerializer,
    EntrySerializer,
    ExpenseCreateSerializer,
    ExpenseUploadSerializer,
    ForecastSerializer,
    ImportCreateSerializer,
    ImportMappingSerializer,
    ImportSerializer,
    IncomeCreateSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    RecategorisedSerializer,
    RecategoriseSerializer,
)
from api.idempotency import keyed_create
from api.pagination import NewestFirst
from api.views import IDEMPOTENCY, _key
from books import category_rules
from books import imports as books_imports
from books import selectors as books_selectors
from books import services as books_services
from books import tasks as books_tasks
from books.categories import learned_pattern
from books.errors import BooksError
from books.models import CategoryRule, Entry, EntryKind, StatementImport
from common.throttles import throttle_hit
from contracts.action_keys import claim_action_key
from messaging import selectors as messaging_selectors
from messaging import services as messaging_services
from messaging.errors import MessagingError
from messaging.models import Conversation, Message


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


class ImportColumns(APIView):
    """The mapping step of a statement whose layout was not recognised (status `mapping`, or `failed` to try
    again): which of its `columns` hold what, as the mapping page asks; then the import runs. With `save_as`,
    the mapping is kept for the next file with the same header row. A replay of the key does nothing twice."""

    @extend_schema(parameters=[IDEMPOTENCY], request=ImportMappingSerializer, responses=ImportSerializer)
    def post(self, request, pk):
        key = _key(request)
        data = dict(_valid(ImportMappingSerializer, request.data))
        imp = _import(request, pk)
        place, save_as = data.pop("place"), data.pop("save_as")
        with transaction.atomic():
            params = {**data, "place": place, "save_as": save_as}
            if claim_action_key(key, user=request.user, action="api_import_mapping", object_id=imp.pk,
                                params=params, error=BooksError):  # fmt: skip
                books_imports.statement_import_set_mapping(
                    statement_import=imp, mapping=data, place=place, save_as=save_as
                )
        return Response(ImportSerializer(_import(request, pk)).data)


class ImportResume(APIView):
    """Start a stopped background import again, as the import page's "Try again" does: rows already in the
    books are skipped. An import that is not stopped (still moving, finished, waiting for columns) is a 409."""

    @extend_schema(request=None, responses=ImportSerializer)
    def post(self, request, pk):
        imp = _import(request, pk)
        if not books_selectors.statement_import_stalled(imp):
            raise BooksError(_("Only a stopped import can be started again; this one is not stopped."))
        books_tasks.statement_import_resume(statement_import=imp)
        return Response(ImportSerializer(_import(request, pk)).data)


# --- Categories ---------------------------------------------------------------------------------------------


def _rule_learned(user, entry: Entry) -> CategoryRule | None:
    pattern = learned_pattern(entry.description)
    return CategoryRule.objects.filter(user=user, pattern=pattern).first() if pattern else None


class EntryCategory(APIView):
    """Move one of your expenses to another category, as its page does: the ledger moves its amount between
    the two expense accounts. With `learn`, later imports of the same payee go there too (a rule)."""

    @extend_schema(parameters=[IDEMPOTENCY], request=RecategoriseSerializer, responses=RecategorisedSerializer)
    def post(self, request, pk):
        key = _key(request)
        data = _valid(RecategoriseSerializer, request.data)
        entry = _entry(request, pk)
        # The service keeps the key itself: a replay changes nothing and answers as the first call did.
        category_rules.entry_recategorise(
            user=request.user, entry=entry, category=data["category"], learn=data["learn"], idempotency_key=key
        )
        entry = _entry(request, pk)
        rule = _rule_learned(request.user, entry) if data["learn"] else None
        return Response(RecategorisedSerializer({"entry": entry, "rule": rule}).data)


class CategoryRules(ListAPIView):
    """GET: your category rules (added by you or learned), newest first. POST: add one; the next imports use it."""

    serializer_class = CategoryRuleSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return CategoryRule.objects.filter(user=self.request.user).order_by()

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=CategoryRuleCreateSerializer,
        responses={201: OpenApiResponse(CategoryRuleSerializer, description="The rule (also on a replay of the key).")},
    )
    def post(self, request):
        key = _key(request)
        data = _valid(CategoryRuleCreateSerializer, request.data)
        rule = keyed_create(
            request, key, action="api_category_rule_add", object_id=None, params=data, error=BooksError,
            queryset=CategoryRule.objects.filter(user=request.user),
            create=lambda: category_rules.category_rule_add(
                user=request.user, pattern=data["pattern"], category=data["category"]
            ),
        )  # fmt: skip
        return Response(CategoryRuleSerializer(rule).data, status=201)


class CategoryRuleDetail(APIView):
    """DELETE one of your category rules; entries already categorised keep their category."""

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request, pk):
        rule = CategoryRule.objects.filter(user=request.user, pk=pk).first()
        if rule is None:
            raise NotFound
        category_rules.category_rule_delete(rule=rule)
        return Response(status=204)


# --- Budget and forecast ------------------------------------------------------------------------------------


class Forecast(APIView):
    """The next 90 days' expected PKR in and out (outstanding invoices weighted by each client's record,
    escrow releases, recurring items, budgets) and the week-by-week balance: the forecast page's figures.
    Estimates at today's reference rates."""

    @extend_schema(responses=ForecastSerializer)
    def get(self, request):
        today = timezone.localdate()
        items = books_selectors.forecast(user=request.user, today=today)
        opening = books_selectors.pkr_cash_minor(user=request.user)
        weeks = books_selectors.forecast_weeks(items, today=today, opening_minor=opening)
        body = {"today": today, "opening_minor": opening, "items": items, "weeks": weeks}
        return Response(ForecastSerializer(body).data)


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
