"""The books' corrections and plans through the API, each through its page's service: removing a hand-recorded
entry (a reversing entry dated today, as the entry page does), the forecast's recurring items (the forecast
page's form), and the reconcile page's proposed matches with their decisions. Books are the owner's alone: an
entry, withdrawal or remittance of someone else is a 404 problem."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.books_plan_serializers import (
    BankMatchSerializer,
    MatchDecisionSerializer,
    MatchProposalSerializer,
    RecurringItemCreateSerializer,
    RecurringItemSerializer,
)
from api.books_serializers import EntrySerializer
from api.books_views import _entry
from api.idempotency import keyed_create
from api.pagination import NewestFirst
from api.problems import Refused
from api.views import IDEMPOTENCY, _key
from books import reconciliation
from books import services as books_services
from books.errors import BooksError
from books.forms import RecurringForm
from books.models import BankMatch, Entry, RecurringItem, Remittance


def _valid(serializer_class, data) -> dict:
    body = serializer_class(data=data)
    body.is_valid(raise_exception=True)
    return body.validated_data


class EntryRemove(APIView):
    """Remove an entry you recorded by hand, as its page does: its ledger transaction is reversed and a
    reversing entry dated today (the answer) takes it out of every total. Imported entries and those other
    pages posted (an invoice's) are corrected where they came from (409); removing one twice is a 409."""

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=None,
        responses={201: OpenApiResponse(EntrySerializer, description="The reversing entry (also on a replay).")},
    )
    def post(self, request, pk):
        key = _key(request)
        entry = _entry(request, pk)
        reversal = keyed_create(
            request, key, action="api_entry_remove", object_id=entry.pk, params={}, error=BooksError,
            queryset=Entry.objects.filter(user=request.user),
            create=lambda: books_services.entry_reverse(user=request.user, entry=entry, idempotency_key=key),
        )  # fmt: skip
        return Response(EntrySerializer(_entry(request, reversal.pk)).data, status=201)


class RecurringItems(ListAPIView):
    """GET: the money you expect every month (rent, a retainer) that the forecast counts. POST: add one, checked
    by the forecast page's form (an amount with more decimals than its currency has, an expense without a
    category: 409)."""

    serializer_class = RecurringItemSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return RecurringItem.objects.filter(user=self.request.user).order_by()

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=RecurringItemCreateSerializer,
        responses={201: OpenApiResponse(RecurringItemSerializer, description="The item (also on a replay).")},
    )
    def post(self, request):
        key = _key(request)
        data = _valid(RecurringItemCreateSerializer, request.data)
        form = RecurringForm({**data, "amount": str(data["amount"])})
        if not form.is_valid():
            errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
            raise Refused(_("The recurring item was not saved."), errors=errors)
        item = keyed_create(
            request, key, action="api_recurring_item_add", object_id=None, params=data, error=BooksError,
            queryset=RecurringItem.objects.filter(user=request.user),
            create=lambda: books_services.recurring_add(user=request.user, **form.cleaned_data),
        )  # fmt: skip
        return Response(RecurringItemSerializer(item).data, status=201)


class MatchProposals(APIView):
    """The reconcile page's proposals: a PKR credit in your bank statement that looks like the money a
    withdrawal sent (`provider`: Payoneer or Wise; `kamai`: a Kamai withdrawal), closest first."""

    @extend_schema(responses=MatchProposalSerializer(many=True))
    def get(self, request):
        return Response(MatchProposalSerializer(reconciliation.match_proposals(user=request.user), many=True).data)


class MatchDecide(APIView):
    """Confirm or reject one proposed match, as the reconcile page does. Confirming makes the pair one transfer
    between your own accounts, counted once (the ledger moves; a provider match records its remittance);
    rejecting means it is not proposed again. A pair no longer proposed, or decided already, is a 409."""

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=MatchDecisionSerializer,
        responses={201: OpenApiResponse(BankMatchSerializer, description="The decision (also on a replay).")},
    )
    def post(self, request):
        key = _key(request)
        data = _valid(MatchDecisionSerializer, request.data)
        bank_entry = Entry.objects.filter(pk=data["bank_entry"], user=request.user).first()
        if data["kind"] == "provider":
            other = {"withdrawal_entry": Entry.objects.filter(pk=data["other"], user=request.user).first()}
        else:
            other = {"kamai_remittance": Remittance.objects.filter(pk=data["other"], user=request.user).first()}
        if bank_entry is None or None in other.values():
            raise NotFound
        decide = (
            reconciliation.bank_match_confirm if data["decision"] == "confirm" else reconciliation.bank_match_reject
        )
        match = keyed_create(
            request, key, action="api_bank_match_decide", object_id=bank_entry.pk, params=data, error=BooksError,
            queryset=BankMatch.objects.filter(user=request.user),
            create=lambda: decide(user=request.user, bank_entry=bank_entry, **other),
        )  # fmt: skip
        return Response(BankMatchSerializer(match).data, status=201)
