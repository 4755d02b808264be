"""Invoicing and payouts through the API: direct clients, invoices (draft, issue, void, payments, credit notes,
the PDF), bank accounts, withdrawals and a wallet account's statement. Each calls the same invoicing, payouts
and ledger functions as the pages, after the same owner check (anyone else gets a 404 problem).

The caller's Idempotency-Key is kept per user: before it reaches a service that keeps keys in a table shared by
every user (Invoice, Payment and Withdrawal keys are unique across Kamai), it is turned into `api:<user>:<hash>`,
so two callers choosing the same key never meet."""

import hashlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import keyed_create
from api.invoicing_serializers import (
    BankAccountCreateSerializer,
    BankAccountSerializer,
    CreditNoteCreateSerializer,
    DirectClientCreateSerializer,
    DirectClientSerializer,
    InvoiceCreateSerializer,
    InvoiceDetailSerializer,
    InvoiceListQuerySerializer,
    InvoiceSerializer,
    PaymentCreateSerializer,
    StatementPageSerializer,
    WithdrawalCreateSerializer,
    WithdrawalSerializer,
)
from api.pagination import NewestFirst
from api.views import IDEMPOTENCY, _key
from contracts.action_keys import claim_action_key
from invoicing import selectors as invoicing_selectors
from invoicing import services as invoicing_services
from invoicing.calculations import LineInput, TaxInput
from invoicing.errors import InvoicingError
from invoicing.models import Client, Invoice, InvoiceState
from invoicing.pdf import invoice_pdf, pdf_filename
from ledger import selectors as ledger_selectors
from ledger.chart import TxnKind
from ledger.models import Account
from ledger.money import from_minor
from ledger.references import links_for
from payouts import selectors as payout_selectors
from payouts import services as payout_services
from payouts.errors import PayoutError
from payouts.models import BankAccount

STATEMENT_PAGE_SIZE = 50
MAX_TERMS_DAYS = 365


class EmptyAcceptIsAny(DefaultContentNegotiation):
    """An empty Accept header asks for nothing in particular (RFC 9110 12.5.1), not for nothing at all (a 406)."""

    def get_accept_list(self, request):
        header = request.META.get("HTTP_ACCEPT", "").strip() or "*/*"
        return [token.strip() for token in header.split(",")]


class Negotiated:
    """Every operation here takes JSON (invoice lines are a list of objects, which a form cannot carry)."""

    content_negotiation_class = EmptyAcceptIsAny
    parser_classes = [JSONParser]


def _valid(serializer_class, request, data=None):
    body = serializer_class(data=request.data if data is None else data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _service_key(request, key: str) -> str:
    """The caller's key as the services keep it: per user, and short enough for their 100-character columns."""
    return f"api:{request.user.pk}:{hashlib.sha256(key.encode()).hexdigest()[:48]}"


def _django_errors(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


# --- Direct clients ----------------------------------------------------------------------------------------


class DirectClients(Negotiated, ListAPIView):
    """GET: your direct clients (outside the marketplace), newest first. POST: add one."""

    serializer_class = DirectClientSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return invoicing_selectors.client_list(freelancer=self.request.user).order_by()

    @extend_schema(
        parameters=[IDEMPOTENCY], request=DirectClientCreateSerializer, responses={201: DirectClientSerializer}
    )
    def post(self, request):
        key = _key(request)
        data = _valid(DirectClientCreateSerializer, request)

        def create():
            try:
                return invoicing_services.client_save(freelancer=request.user, **data)
            except DjangoValidationError as error:
                raise _django_errors(error) from None

        client = keyed_create(
            request, key, action="api_client_create", object_id=None, params=data, error=InvoicingError,
            queryset=Client.objects.all(), create=create,
        )  # fmt: skip
        return Response(DirectClientSerializer(client).data, status=201)


# --- Invoices ----------------------------------------------------------------------------------------------


def _invoices(request):
    return Invoice.objects.filter(freelancer=request.user).select_related("client", "credit_for")


def _invoice(request, pk) -> Invoice:
    invoice = _invoices(request).filter(pk=pk).first()
    if invoice is None:
        raise NotFound
    return invoice


def _invoice_answer(request, pk, status=200) -> Response:
    invoice = _invoices(request).prefetch_related("lines", "taxes", "payments").get(pk=pk)
    return Response(InvoiceDetailSerializer(invoice).data, status=status)


STATE_FILTER = OpenApiParameter("state", str, enum=list(InvoiceState.values), description="Only this state.")


class Invoices(Negotiated, ListAPIView):
    """GET: your invoices and credit notes, newest first (`state` as on the invoices page). POST: save a draft;
    issue it with POST /api/invoices/{id}/issue/."""

    serializer_class = InvoiceSerializer
    pagination_class = NewestFirst

    @extend_schema(parameters=[STATE_FILTER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = _valid(InvoiceListQuerySerializer, self.request, data=self.request.query_params.dict())
        return invoicing_selectors.invoice_list(freelancer=self.request.user, state=query.get("state", "")).order_by()

    @extend_schema(parameters=[IDEMPOTENCY], request=InvoiceCreateSerializer, responses={201: InvoiceDetailSerializer})
    def post(self, request):
        key = _key(request)
        data = _valid(InvoiceCreateSerializer, request)
        client = invoicing_selectors.client_list(freelancer=request.user).filter(pk=data["client"]).first()
        if client is None:
            raise NotFound(_("You have no client with this id."))
        if (data["due_date"] - data["issue_date"]).days > MAX_TERMS_DAYS:
            # Kept in days on the invoice; the service refuses a due date before the issue date the same way.
            raise InvoicingError(_("The due date is at most a year after the issue date."))
        lines = [LineInput(line["description"], line["quantity"], line["unit_price"]) for line in data["lines"]]
        taxes = [TaxInput(tax["name"], tax["rate_percent"]) for tax in data["taxes"]]
        params = {**data, "lines": repr(data["lines"]), "taxes": repr(data["taxes"])}
        invoice = keyed_create(
            request, key, action="api_invoice_create", object_id=None, params=params, error=InvoicingError,
            queryset=Invoice.objects.all(),
            create=lambda: invoicing_services.invoice_save_draft(
                freelancer=request.user, client=client, currency=data["currency"], issue_date=data["issue_date"],
                due_date=data["due_date"], lines=lines, taxes=taxes, notes=data["notes"],
            ),
        )  # fmt: skip
        return _invoice_answer(request, invoice.pk, status=201)


class InvoiceDetail(Negotiated, APIView):
    @extend_schema(responses=InvoiceDetailSerializer)
    def get(self, request, pk):
        return _invoice_answer(request, _invoice(request, pk).pk)


class InvoiceIssue(Negotiated, APIView):
    """Number a draft, post the receivable and e-mail the client its link. A replay of the key does nothing."""

    @extend_schema(parameters=[IDEMPOTENCY], request=None, responses=InvoiceDetailSerializer)
    def post(self, request, pk):
        key = _key(request)
        invoice = _invoice(request, pk)
        with transaction.atomic():
            if claim_action_key(key, user=request.user, action="api_invoice_issue", object_id=invoice.pk,
                                error=InvoicingError):  # fmt: skip
                invoicing_services.invoice_issue(invoice=invoice, freelancer=request.user)
        return _invoice_answer(request, pk)


class InvoiceVoid(Negotiated, APIView):
    """Cancel a draft, or an issued invoice nothing was paid or credited on (its receivable is reversed)."""

    @extend_schema(request=None, responses=InvoiceDetailSerializer)
    def post(self, request, pk):
        invoice = _invoice(request, pk)
        invoicing_services.invoice_void(invoice=invoice, freelancer=request.user)
        return _invoice_answer(request, pk)


class InvoicePayments(Negotiated, APIView):
    """Record money received on an issued invoice, in its currency (optionally what the bank credited in PKR)."""

    @extend_schema(parameters=[IDEMPOTENCY], request=PaymentCreateSerializer, responses={201: InvoiceDetailSerializer})
    def post(self, request, pk):
        key = _key(request)
        data = _valid(PaymentCreateSerializer, request)
        invoice = _invoice(request, pk)
        invoicing_services.payment_record(
            invoice=invoice, freelancer=request.user, amount=data["amount"], currency=invoice.currency,
            received_on=data["date"], method=data["method"], reference=data["reference"],
            realized_pkr=data["realized_pkr"], idempotency_key=_service_key(request, key),
        )  # fmt: skip
        return _invoice_answer(request, pk, status=201)


class InvoiceCreditNotes(Negotiated, APIView):
    """Correct an issued invoice with a credit note for part or all of what is still due."""

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=CreditNoteCreateSerializer,
        responses={201: OpenApiResponse(InvoiceDetailSerializer, description="The credit note.")},
    )
    def post(self, request, pk):
        key = _key(request)
        data = _valid(CreditNoteCreateSerializer, request)
        invoice = _invoice(request, pk)
        note = invoicing_services.credit_note_issue(
            invoice=invoice, freelancer=request.user, amount=data["amount"], reason=data["reason"],
            idempotency_key=_service_key(request, key),
        )  # fmt: skip
        return _invoice_answer(request, note.pk, status=201)


class InvoicePdf(Negotiated, APIView):
    """The invoice as the client sees it, as a PDF."""

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(bytes, description="The PDF (Content-Disposition: attachment).")
        }
    )
    def get(self, request, pk):
        invoice = _invoice(request, pk)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
        return response


# --- Payouts -----------------------------------------------------------------------------------------------


class BankAccounts(Negotiated, ListAPIView):
    """GET: your saved Pakistani bank accounts, newest first. POST: add one (the IBAN is checked)."""

    serializer_class = BankAccountSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return payout_selectors.bank_accounts_for(user=self.request.user).order_by()

    @extend_schema(
        parameters=[IDEMPOTENCY], request=BankAccountCreateSerializer, responses={201: BankAccountSerializer}
    )
    def post(self, request):
        key = _key(request)
        data = _valid(BankAccountCreateSerializer, request)
        account = keyed_create(
            request, key, action="api_bank_account_add", object_id=None, params=data, error=PayoutError,
            queryset=BankAccount.objects.all(),
            create=lambda: payout_services.bank_account_add(owner=request.user, **data),
        )  # fmt: skip
        return Response(BankAccountSerializer(account).data, status=201)


class Withdrawals(Negotiated, ListAPIView):
    """GET: your withdrawals, newest first. POST: ask for wallet money to be paid to one of your bank accounts;
    it is held on the wallet until the bank pays it."""

    serializer_class = WithdrawalSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return payout_selectors.withdrawals_for(user=self.request.user).order_by()

    @extend_schema(parameters=[IDEMPOTENCY], request=WithdrawalCreateSerializer, responses={201: WithdrawalSerializer})
    def post(self, request):
        key = _key(request)
        data = _valid(WithdrawalCreateSerializer, request)
        account = payout_selectors.bank_accounts_for(user=request.user).filter(pk=data["bank_account"]).first()
        if account is None:
            raise NotFound(_("You have no bank account with this id."))
        withdrawal = payout_services.withdrawal_request(
            freelancer=request.user, bank_account=account, currency=data["currency"], amount=data["amount"],
            idempotency_key=_service_key(request, key),
        )  # fmt: skip
        return Response(WithdrawalSerializer(withdrawal).data, status=201)


class WithdrawalDetail(Negotiated, APIView):
    @extend_schema(responses=WithdrawalSerializer)
    def get(self, request, pk):
        withdrawal = payout_selectors.withdrawals_for(user=request.user).filter(pk=pk).first()
        if withdrawal is None:
            raise NotFound
        return Response(WithdrawalSerializer(withdrawal).data)


# --- Wallet statement --------------------------------------------------------------------------------------

CURSOR = OpenApiParameter("cursor", str, description="Opaque: taken from `next` or `previous`.")


class AccountStatement(Negotiated, APIView):
    """One of your wallet accounts' postings, newest first, with the running balance after each."""

    @extend_schema(parameters=[CURSOR], responses=StatementPageSerializer)
    def get(self, request, pk):
        try:
            account = ledger_selectors.user_account(user=request.user, account_id=pk)
        except Account.DoesNotExist:
            raise NotFound from None
        after, before = self._cursor(request, account)
        page = ledger_selectors.account_statement_page(
            account=account, after=after, before=before, size=STATEMENT_PAGE_SIZE
        )
        links = links_for(posting.transaction.reference for posting in page.postings)
        rows = []
        for posting in reversed(page.postings):
            txn = posting.transaction
            link = links.get(txn.reference)
            rows.append(
                {
                    "date": posting.posted_at,
                    "kind": str(TxnKind(txn.kind).label) if txn.kind in TxnKind.values else "",
                    "memo": txn.memo,
                    "amount": str(from_minor(account.sign * posting.amount_minor, account.currency)),
                    "balance": str(from_minor(account.sign * posting.running_minor, account.currency)),
                    "currency": account.currency,
                    "link": {"label": str(link.label), "url": request.build_absolute_uri(link.url)} if link else None,
                }
            )
        body = {
            "next": self._link(request, "b", page.earlier),
            "previous": self._link(request, "a", page.later),
            "results": rows,
        }
        return Response(StatementPageSerializer(body).data)

    @staticmethod
    def _cursor(request, account) -> tuple[str | None, str | None]:
        raw = request.query_params.get("cursor")
        if raw is None:
            return None, None
        direction, _dot, token = raw.partition(".")
        if direction not in ("a", "b") or ledger_selectors.StatementCursor.from_token(token, account=account) is None:
            raise ValidationError({"cursor": [_("This cursor is not valid; start again from the first page.")]})
        return (token, None) if direction == "a" else (None, token)

    @staticmethod
    def _link(request, direction: str, token: str | None) -> str | None:
        if token is None:
            return None
        from urllib.parse import urlencode

        return request.build_absolute_uri(f"{request.path}?{urlencode({'cursor': f'{direction}.{token}'})}")
