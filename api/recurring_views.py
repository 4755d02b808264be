"""Recurring invoices and an invoice's reminders through the API: the same invoicing selectors and services as
the recurring-invoices page and the invoice page. A template or invoice that is not yours is a 404 problem."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import keyed_create
from api.invoicing_serializers import (
    InvoiceDetailSerializer,
    RecurringCreateSerializer,
    RecurringSerializer,
    RemindersSerializer,
)
from api.invoicing_views import Negotiated, _invoice, _invoice_answer, _valid
from api.pagination import NewestFirst
from api.views import IDEMPOTENCY, _key
from invoicing import selectors as invoicing_selectors
from invoicing import services as invoicing_services
from invoicing.calculations import LineInput, TaxInput
from invoicing.errors import InvoicingError
from invoicing.models import PaymentMethod, RecurringTemplate


def _templates(request):
    return invoicing_selectors.recurring_list(freelancer=request.user)


def _template(request, pk) -> RecurringTemplate:
    template = _templates(request).filter(pk=pk).first()
    if template is None:
        raise NotFound
    return template


class RecurringInvoices(Negotiated, ListAPIView):
    """GET: your recurring invoices, newest first. POST: a new one; the first invoice is issued and e-mailed on its
    start date, then one every period until its end date or count."""

    serializer_class = RecurringSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return _templates(self.request).order_by()

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=RecurringCreateSerializer,
        responses={
            201: OpenApiResponse(RecurringSerializer, description="The template (also on a replay of the key).")
        },
    )
    def post(self, request):
        key = _key(request)
        data = _valid(RecurringCreateSerializer, request)
        client = invoicing_selectors.client_list(freelancer=request.user).filter(pk=data["client"]).first()
        if client is None:
            raise NotFound(_("You have no client with this id."))
        method = None
        if data["payment_method"] is not None:
            method = PaymentMethod.objects.filter(freelancer=request.user, pk=data["payment_method"]).first()
            if method is None:
                raise NotFound(_("You have no payment instructions with this id."))
        lines = [LineInput(line["description"], line["quantity"], line["unit_price"]) for line in data["lines"]]
        taxes = [TaxInput(tax["name"], tax["rate_percent"]) for tax in data["taxes"]]
        params = {**data, "lines": repr(data["lines"]), "taxes": repr(data["taxes"])}
        template = keyed_create(
            request, key, action="api_recurring_create", object_id=None, params=params, error=InvoicingError,
            queryset=RecurringTemplate.objects.all(),
            create=lambda: invoicing_services.recurring_save(
                freelancer=request.user, client=client, title=data["title"], currency=data["currency"],
                frequency=data["frequency"], start_date=data["start_date"], end_date=data["end_date"],
                max_count=data["max_count"], terms_days=data["terms_days"], lines=lines, taxes=taxes,
                notes=data["notes"], payment_method=method,
            ),
        )  # fmt: skip
        return Response(RecurringSerializer(_template(request, template.pk)).data, status=201)


class RecurringDetail(Negotiated, APIView):
    @extend_schema(responses=RecurringSerializer)
    def get(self, request, pk):
        return Response(RecurringSerializer(_template(request, pk)).data)


class RecurringStop(Negotiated, APIView):
    """Stop a recurring invoice: no more invoices go out from it (those already sent stay)."""

    @extend_schema(request=None, responses=RecurringSerializer)
    def post(self, request, pk):
        template = _template(request, pk)
        invoicing_services.recurring_stop(template=template, freelancer=request.user)
        return Response(RecurringSerializer(_template(request, pk)).data)


class InvoiceReminders(Negotiated, APIView):
    """Switch an invoice's reminder and late-fee e-mails on or off, as its page does; no money moves."""

    @extend_schema(request=RemindersSerializer, responses=InvoiceDetailSerializer)
    def post(self, request, pk):
        data = _valid(RemindersSerializer, request)
        invoice = _invoice(request, pk)
        invoicing_services.invoice_set_reminders(invoice=invoice, freelancer=request.user, enabled=data["enabled"])
        return _invoice_answer(request, pk)
