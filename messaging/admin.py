from django.contrib import admin

from messaging.models import Conversation, Message, PendingNotification


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["created_at", "sender", "body", "attachment_name", "attachment_type", "attachment_size"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "client", "freelancer", "last_message_at", "created_at"]
    search_fields = ["client__email", "freelancer__email", "job__title"]
    raw_id_fields = ["client", "freelancer", "job", "proposal", "offer"]
    readonly_fields = ["created_at", "last_message_at", "client_last_read_id", "freelancer_last_read_id"]
    list_select_related = ["job", "client", "freelancer"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "sender", "created_at", "attachment_name"]
    search_fields = ["sender__email", "body"]
    # The stored file is not linked: attachments are served only to participants, through messaging's view.
    fields = ["conversation", "sender", "body", "attachment_name", "attachment_type", "attachment_size", "created_at"]
    readonly_fields = fields
    list_select_related = ["sender"]

    def has_add_permission(self, request):
        return False


@admin.register(PendingNotification)
class PendingNotificationAdmin(admin.ModelAdmin):
    list_display = ["conversation", "recipient", "created_at"]
    raw_id_fields = ["conversation", "recipient"]
