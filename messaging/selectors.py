"""Reads for messaging: the inbox, one conversation's messages and the unread total for the nav."""

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from accounts.models import User
from messaging.models import Conversation, Message

PAGE_SIZE = 50


def unread_total(user: User) -> int:
    """Messages from the other side newer than the user's read marker, across all conversations: one query."""
    return (
        Message.objects.filter(
            Q(conversation__client=user, id__gt=F("conversation__client_last_read_id"))
            | Q(conversation__freelancer=user, id__gt=F("conversation__freelancer_last_read_id"))
        )
        .exclude(sender=user)
        .count()
    )


def inbox(user: User) -> QuerySet[Conversation]:
    """The user's conversations, newest activity first, each with the other party, the job and `unread`."""
    marker = Case(
        When(client=user, then=F("client_last_read_id")),
        default=F("freelancer_last_read_id"),
        output_field=IntegerField(),
    )
    unread = (
        Message.objects.filter(conversation=OuterRef("pk"), id__gt=OuterRef("my_last_read_id"))
        .exclude(sender=user)
        .order_by()
        .values("conversation")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        Conversation.objects.filter(Q(client=user) | Q(freelancer=user))
        .select_related(
            "job",
            "contract",
            "client__client_profile",
            "client__freelancer_profile",
            "freelancer__freelancer_profile",
            "freelancer__client_profile",
        )
        .annotate(my_last_read_id=marker)
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at")
    )


def conversation_for_participant(user: User, pk: int) -> Conversation:
    """The conversation if the user is one of its two people; Conversation.DoesNotExist otherwise."""
    if not user.is_authenticated:
        raise Conversation.DoesNotExist
    return Conversation.objects.select_related(
        "job",
        "contract",
        "proposal",
        "offer",
        "client__client_profile",
        "client__freelancer_profile",
        "freelancer__freelancer_profile",
        "freelancer__client_profile",
    ).get(Q(client=user) | Q(freelancer=user), pk=pk)


def conversation_messages(conversation: Conversation, *, before_id: int | None = None) -> tuple[list[Message], bool]:
    """The latest PAGE_SIZE messages (or those before before_id), oldest first, and whether older ones exist."""
    messages = Message.objects.filter(conversation=conversation).order_by("-id")
    if before_id:
        messages = messages.filter(id__lt=before_id)
    page = list(messages[: PAGE_SIZE + 1])
    has_older = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    page.reverse()
    return page, has_older


def message_for_participant(user: User, pk: int) -> Message:
    """A message with an attachment, if the user is in its conversation; Message.DoesNotExist otherwise."""
    if not user.is_authenticated:
        raise Message.DoesNotExist
    return (
        Message.objects.select_related("conversation")
        .exclude(attachment="")
        .get(Q(conversation__client=user) | Q(conversation__freelancer=user), pk=pk)
    )
