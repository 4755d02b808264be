"""Read-only views for staff: money-bearing rows change only through invoicing.services."""

from django.contrib import admin

from invoicing.models import Client, Invoice, InvoiceEvent, InvoiceLine, Payment, RecurringTemplate


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    readonly_fields = ["position", "kind", "description", "quantity", "unit_price_minor", "amount_minor"]


class EventInline(admin.TabularInline):
    model = InvoiceEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "kind", "message", "email_to"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = ["number", "kind", "freelancer", "client", "state", "currency", "total_minor", "due_date"]
    list_filter = ["state", "kind", "currency"]
    search_fields = ["number", "client__name", "freelancer__email"]
    inlines = [LineInline, EventInline]


@admin.register(Client)
class ClientAdmin(ReadOnly):
    list_display = ["name", "company", "email", "freelancer"]
    search_fields = ["name", "company", "email"]


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ["invoice", "received_on", "amount_minor", "currency", "method"]


@admin.register(RecurringTemplate)
class RecurringAdmin(ReadOnly):
    list_display = ["title", "freelancer", "client", "frequency", "next_run_date", "active"]
