"""Conversations between a client and a freelancer about a job, their messages and pending e-mail digests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.attachments import storage_name

MAX_BODY_LENGTH = 5000


def attachment_upload_to(instance, filename: str) -> str:
    return storage_name()


class Conversation(models.Model):
    """Exactly two participants: the job's client and one freelancer. One thread per (client, freelancer, job)."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_conversations")
    freelancer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="freelancer_conversations"
    )
    job = models.ForeignKey(
        "marketplace.Job", on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    proposal = models.ForeignKey(
        "marketplace.Proposal", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    offer = models.ForeignKey(
        "marketplace.ContractOffer", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept in step by message_send so the inbox sorts without touching the messages table.
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Read markers: the id of the newest message each side has seen. Unread = the other side's later messages.
    client_last_read_id = models.BigIntegerField(default=0)
    freelancer_last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "freelancer", "job"],
                condition=Q(job__isnull=False),
                name="one_conversation_per_job_pair",
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(job__isnull=True, contract__isnull=False),
                name="one_conversation_per_direct_contract",
            ),
            models.CheckConstraint(condition=~Q(client=models.F("freelancer")), name="conversation_two_people"),
        ]
        indexes = [
            models.Index(fields=["client", "-last_message_at"], name="conversation_client_idx"),
            models.Index(fields=["freelancer", "-last_message_at"], name="conversation_freelancer_idx"),
        ]

    def __str__(self):
        return f"Conversation #{self.pk}: {self.job or self.contract or '-'}"

    def has_participant(self, user) -> bool:
        return user.is_authenticated and user.pk in (self.client_id, self.freelancer_id)

    def other_party(self, user):
        return self.freelancer if user.pk == self.client_id else self.client

    def last_read_id_for(self, user) -> int:
        return self.client_last_read_id if user.pk == self.client_id else self.freelancer_last_read_id


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_sent")
    body = models.TextField(_("message"), max_length=MAX_BODY_LENGTH, blank=True)
    # Stored in the default storage under messages/ with a random name and served only through attachment_download.
    attachment = models.FileField(upload_to=attachment_upload_to, blank=True, max_length=200)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # When the recipient's new-message e-mail listed it; per message, so commit order cannot make one slip through.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["conversation", "id"], name="message_conversation_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(body="") | ~Q(attachment=""), name="message_not_empty"),
        ]

    def __str__(self):
        return f"Message #{self.pk} in conversation #{self.conversation_id}"


class PendingNotification(models.Model):
    """A new-message e-mail waiting for its delay: one per (conversation, recipient), so a burst of messages
    becomes one e-mail. The Huey task deletes the row when it sends (or finds everything already read)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="pending_notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_message_notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "recipient"], name="one_pending_notification"),
        ]

    def __str__(self):
        return f"E-mail to {self.recipient} about conversation #{self.conversation_id}"
