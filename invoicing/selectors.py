"""Reads for invoicing pages: a freelancer's own clients and invoices (anyone else's are not found), the
overview (outstanding, overdue, ageing, paid this month, days to pay) and the CSV exports. Sums are in
integer minor units; Decimal appears only when shown."""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import BigIntegerField, ExpressionWrapper, F, Max, QuerySet
from django.shortcuts import get_object_or_404

from common.spreadsheets import safe_csv_writer
from invoicing.models import (
    OPEN_STATES,
    Client,
    DocumentKind,
    Invoice,
    InvoiceSettings,
    InvoiceState,
    Payment,
    RecurringTemplate,
)
from ledger.errors import ExchangeRateError
from ledger.fx import exchange_rate_on
from ledger.money import convert, from_minor

DUE_EXPR = ExpressionWrapper(F("total_minor") - F("paid_minor") - F("credited_minor"), output_field=BigIntegerField())
AGEING_BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"]


def client_list(*, freelancer) -> QuerySet[Client]:
    return Client.objects.filter(freelancer=freelancer).order_by("name")


def client_get(*, freelancer, pk: int) -> Client:
    return get_object_or_404(Client, pk=pk, freelancer=freelancer)


def invoice_list(*, freelancer, state: str = "", client: Client | None = None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(freelancer=freelancer).select_related("client", "credit_for")
    if state:
        invoices = invoices.filter(state=state)
    if client is not None:
        invoices = invoices.filter(client=client)
    return invoices.order_by("-created_at", "-id")


def invoice_get(*, freelancer, pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("client", "freelancer", "payment_method", "credit_for"),
        pk=pk,
        freelancer=freelancer,
    )


def recurring_list(*, freelancer) -> QuerySet[RecurringTemplate]:
    return RecurringTemplate.objects.filter(freelancer=freelancer).select_related("client")


def recurring_get(*, freelancer, pk: int) -> RecurringTemplate:
    return get_object_or_404(RecurringTemplate, pk=pk, freelancer=freelancer)


def _open_invoices(freelancer):
    return Invoice.objects.filter(freelancer=freelancer, kind=DocumentKind.INVOICE, state__in=OPEN_STATES)


@dataclass
class CurrencyLine:
    currency: str
    outstanding_minor: int = 0
    overdue_minor: int = 0
    paid_this_month_minor: int = 0
    rate: object = None  # ledger ExchangeRate used for the PKR value, or None
    ageing: dict = field(default_factory=lambda: dict.fromkeys(AGEING_BUCKETS, 0))

    def _d(self, minor):
        return from_minor(minor, self.currency)

    @property
    def outstanding(self):
        return self._d(self.outstanding_minor)

    @property
    def overdue(self):
        return self._d(self.overdue_minor)

    @property
    def paid_this_month(self):
        return self._d(self.paid_this_month_minor)

    @property
    def ageing_amounts(self):
        return [self._d(self.ageing[b]) for b in AGEING_BUCKETS]

    def in_pkr(self, minor: int):
        if self.currency == "PKR":
            return from_minor(minor, "PKR")
        if self.rate is None:
            return None
        return convert(from_minor(minor, self.currency), self.rate.rate, "PKR")

    @property
    def outstanding_pkr(self):
        return self.in_pkr(self.outstanding_minor)

    @property
    def overdue_pkr(self):
        return self.in_pkr(self.overdue_minor)


@dataclass
class ClientPace:
    client: Client
    paid_invoices: int
    average_days: Decimal


@dataclass
class Overview:
    today: date
    lines: list[CurrencyLine]
    outstanding_pkr: Decimal
    overdue_pkr: Decimal
    missing_rates: list[str]
    paid_realized_pkr: Decimal
    clients: list[ClientPace]
    buckets: list[str] = field(default_factory=lambda: list(AGEING_BUCKETS))


def _bucket(days_late: int) -> str:
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "1-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "90+"


def overview(*, freelancer, today: date) -> Overview:
    lines: dict[str, CurrencyLine] = {}

    def line(currency):
        return lines.setdefault(currency, CurrencyLine(currency))

    for currency, due_date, due in (
        _open_invoices(freelancer).annotate(due=DUE_EXPR).values_list("currency", "due_date", "due")
    ):
        row = line(currency)
        row.outstanding_minor += due
        days_late = (today - due_date).days
        if days_late > 0:
            row.overdue_minor += due
        row.ageing[_bucket(days_late)] += due
    month_start = today.replace(day=1)
    realized = 0
    for payment in Payment.objects.filter(
        invoice__freelancer=freelancer, received_on__gte=month_start, received_on__lte=today
    ):
        line(payment.currency).paid_this_month_minor += payment.amount_minor
        realized += payment.realized_pkr_minor or 0
    outstanding_pkr = overdue_pkr = Decimal("0.00")
    missing = []
    for row in lines.values():
        if row.currency != "PKR":
            try:
                row.rate = exchange_rate_on(base=row.currency, on=today)
            except ExchangeRateError:
                row.rate = None
                if row.outstanding_minor:
                    missing.append(row.currency)
        if row.outstanding_pkr is not None:
            outstanding_pkr += row.outstanding_pkr
            overdue_pkr += row.overdue_pkr
    return Overview(
        today=today,
        lines=sorted(lines.values(), key=lambda r: r.currency),
        outstanding_pkr=outstanding_pkr,
        overdue_pkr=overdue_pkr,
        missing_rates=missing,
        paid_realized_pkr=from_minor(realized, "PKR"),
        clients=client_pace(freelancer=freelancer),
    )


def client_pace(*, freelancer) -> list[ClientPace]:
    """Each client's average days from issue date to the last payment, over invoices paid in full."""
    days: dict[int, list[int]] = defaultdict(list)
    paid = (
        Invoice.objects.filter(freelancer=freelancer, kind=DocumentKind.INVOICE, state=InvoiceState.PAID)
        .annotate(last_payment=Max("payments__received_on"))
        .values_list("client_id", "issue_date", "last_payment")
    )
    for client_id, issued, last_payment in paid:
        if last_payment is not None:
            days[client_id].append(max((last_payment - issued).days, 0))
    clients = {c.pk: c for c in Client.objects.filter(pk__in=days)}
    return sorted(
        (
            ClientPace(clients[pk], len(values), (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1")))
            for pk, values in days.items()
        ),
        key=lambda pace: pace.client.name,
    )


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    safe_csv_writer(out).writerows(rows)
    return out.getvalue()


def invoices_csv(*, freelancer) -> str:
    rows = [
        [
            "number",
            "kind",
            "client",
            "state",
            "currency",
            "issue_date",
            "due_date",
            "subtotal",
            "discount",
            "tax",
            "late_fees",
            "total",
            "paid",
            "credited",
            "due",
            "first_viewed_at",
        ]
    ]
    for inv in Invoice.objects.filter(freelancer=freelancer).select_related("client").order_by("issue_date", "id"):
        rows.append(
            [
                inv.number or "draft",
                inv.kind,
                inv.client.name,
                inv.state,
                inv.currency,
                inv.issue_date.isoformat(),
                inv.due_date.isoformat(),
                inv.subtotal,
                inv.discount,
                inv.tax,
                inv.late_fee,
                inv.total,
                inv.paid,
                inv.credited,
                inv.amount_due,
                inv.first_viewed_at.isoformat() if inv.first_viewed_at else "",
            ]
        )
    return _csv(rows)


def payments_csv(*, freelancer) -> str:
    rows = [["received_on", "invoice", "client", "amount", "currency", "method", "reference", "realized_pkr"]]
    payments = (
        Payment.objects.filter(invoice__freelancer=freelancer)
        .select_related("invoice__client")
        .order_by("received_on", "id")
    )
    for p in payments:
        rows.append(
            [
                p.received_on.isoformat(),
                p.invoice.number,
                p.invoice.client.name,
                p.amount,
                p.currency,
                p.method,
                p.reference,
                "" if p.realized_pkr is None else p.realized_pkr,
            ]
        )
    return _csv(rows)


def settings_for(*, freelancer):
    """The freelancer's invoice settings, or the defaults (unsaved) before they first save any."""

    return InvoiceSettings.objects.filter(freelancer=freelancer).first() or InvoiceSettings(freelancer=freelancer)
