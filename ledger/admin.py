"""Read-only admin: staff can look at every account, transaction, posting and hold, and change none.
Corrections are reversing transactions posted through ledger.services. Exchange rates may be added by hand
(source "manual"); a published rate is not edited."""

from django.contrib import admin

from ledger.models import Account, ExchangeRate, Hold, Posting, Transaction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ["account", "amount_minor", "currency", "posted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "book", "kind", "currency", "balance", "held", "no_negative", "owner"]
    list_filter = ["book", "kind", "currency", "no_negative"]
    search_fields = ["code", "name", "owner__email", "owner_ref"]
    list_select_related = ["owner"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "book", "kind", "reference", "memo", "idempotency_key"]
    list_filter = ["kind", "book"]
    search_fields = ["idempotency_key", "reference", "memo"]
    date_hierarchy = "created_at"
    inlines = [PostingInline]


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ["id", "posted_at", "transaction", "account", "amount_minor", "currency"]
    list_filter = ["currency"]
    search_fields = ["account__code", "transaction__idempotency_key"]
    list_select_related = ["transaction", "account"]


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "status", "debit_account", "credit_account", "amount", "currency", "kind"]
    list_filter = ["status", "kind", "currency"]
    search_fields = ["idempotency_key", "reference"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["rate_date", "base_currency", "quote_currency", "rate", "source"]
    list_filter = ["source", "base_currency"]
    date_hierarchy = "rate_date"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
