"""Every messaging write: starting a conversation, sending a message, marking read and the new-message e-mail.
Each runs in one transaction; NotAllowed means "not a participant" (views answer 404)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import FreelancerProfile, User
from common import fragments
from messaging.attachments import check_attachment, download_name
from messaging.errors import MessagingError, NotAllowed
from messaging.models import MAX_BODY_LENGTH, Conversation, Message, PendingNotification
from messaging.tasks import send_message_digest

DEFAULT_EMAIL_DELAY_SECONDS = 300


def email_delay_seconds() -> int:
    return int(getattr(settings, "KAMAI_MESSAGE_EMAIL_DELAY_SECONDS", DEFAULT_EMAIL_DELAY_SECONDS))


# --- Conversations ---------------------------------------------------------------------------------------


def _conversation_ensure(*, client: User, freelancer: User, job, proposal=None, offer=None) -> Conversation:
    if client.pk == freelancer.pk:
        raise MessagingError(_("You cannot message yourself."))
    try:
        with transaction.atomic():
            conversation, created = Conversation.objects.get_or_create(
                client=client, freelancer=freelancer, job=job, defaults={"proposal": proposal, "offer": offer}
            )
    except IntegrityError:
        # Both sides pressed "Message" at once: the other request created it.
        conversation, created = Conversation.objects.get(client=client, freelancer=freelancer, job=job), False
    if not created:
        changed = []
        if proposal is not None and conversation.proposal_id is None:
            conversation.proposal = proposal
            changed.append("proposal")
        if offer is not None and conversation.offer_id is None:
            conversation.offer = offer
            changed.append("offer")
        if changed:
            conversation.save(update_fields=changed)
    return conversation


@transaction.atomic
def conversation_start(
    *,
    starter: User,
    proposal=None,
    offer=None,
    job=None,
    freelancer: User | None = None,
    contract=None,
) -> Conversation:
    """Open (or reuse) the thread between a job's client and a freelancer. From a proposal: its freelancer and
    the job's client, started by either. From an offer: its client and freelancer. From a job and a freelancer:
    started by the job's owner only. Anyone else is refused with NotAllowed. The subjects are the marketplace's
    and the contracts' objects, passed in by those apps' pages (messaging imports neither; see subjects.py)."""
    if proposal is not None:
        client = proposal.job.client
        if starter.pk not in (proposal.freelancer_id, client.pk):
            raise NotAllowed(_("Only the proposal's freelancer and the job's client can talk about it."))
        return _conversation_ensure(client=client, freelancer=proposal.freelancer, job=proposal.job, proposal=proposal)
    if offer is not None:
        if starter.pk not in (offer.client_id, offer.freelancer_id):
            raise NotAllowed(_("Only the offer's client and freelancer can talk about it."))
        return _conversation_ensure(
            client=offer.client,
            freelancer=offer.freelancer,
            job=offer.job,
            proposal=offer.proposal,
            offer=offer,
        )
    if contract is not None:
        if not contract.is_party(starter) or contract.client_id is None:
            raise NotAllowed(_("Only the contract's client and freelancer can talk about it."))
        if contract.offer_id:
            conversation = _conversation_ensure(
                client=contract.client, freelancer=contract.freelancer, job=contract.offer.job, offer=contract.offer
            )
        else:
            try:
                with transaction.atomic():
                    conversation, _created = Conversation.objects.get_or_create(
                        contract=contract,
                        job=None,
                        defaults={"client": contract.client, "freelancer": contract.freelancer},
                    )
            except IntegrityError:
                conversation = Conversation.objects.get(contract=contract, job=None)
        if conversation.contract_id is None:
            conversation.contract = contract
            conversation.save(update_fields=["contract"])
        return conversation
    if job is not None and freelancer is not None:
        if job.client_id != starter.pk:
            raise NotAllowed(_("Only the job's owner can message freelancers about it."))
        if not freelancer.is_active or not FreelancerProfile.objects.filter(user=freelancer).exists():
            raise NotAllowed(_("That account has no freelancer profile."))
        return _conversation_ensure(client=starter, freelancer=freelancer, job=job)
    raise MessagingError(_("Say which proposal, offer, contract or job the conversation is about."))


def _marker_field(conversation: Conversation, user: User) -> str:
    if user.pk == conversation.client_id:
        return "client_last_read_id"
    if user.pk == conversation.freelancer_id:
        return "freelancer_last_read_id"
    raise NotAllowed(_("You are not part of this conversation."))


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, reader: User, up_to_message_id: int | None = None) -> None:
    """Move the reader's marker forward to the given message (default: the newest). Never moves it back."""
    field = _marker_field(conversation, reader)
    if up_to_message_id is None:
        up_to_message_id = (
            Message.objects.filter(conversation=conversation).order_by("-id").values_list("id", flat=True).first()
        )
    if not up_to_message_id:
        return
    moved = Conversation.objects.filter(pk=conversation.pk, **{f"{field}__lt": up_to_message_id}).update(
        **{field: up_to_message_id}
    )
    if moved:
        fragments.changed_users([reader.pk])  # their unread count
    setattr(conversation, field, max(getattr(conversation, field), up_to_message_id))


# --- Messages --------------------------------------------------------------------------------------------


@transaction.atomic
def message_send(*, conversation: Conversation, sender: User, body: str, attachment=None) -> Message:
    """Add a message (text, a checked attachment, or both). The sender has read everything up to it; the other
    side gets one delayed e-mail for this burst of messages unless one is already pending."""
    marker = _marker_field(conversation, sender)
    body = (body or "").strip()
    if not body and attachment is None:
        raise MessagingError(_("Write a message or attach a file."))
    if len(body) > MAX_BODY_LENGTH:
        raise MessagingError(
            _("The message is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(body), "limit": MAX_BODY_LENGTH}
        )
    message = Message(conversation=conversation, sender=sender, body=body)
    if attachment is not None:
        try:
            kind = check_attachment(attachment)
        except ValidationError as error:
            raise MessagingError(" ".join(error.messages)) from None
        message.attachment_name = download_name(attachment.name, kind)
        message.attachment_type = kind.content_type
        message.attachment_size = attachment.size
        message.attachment.save("upload", attachment, save=False)
    try:
        message.save()
    except Exception:
        if message.attachment:
            message.attachment.delete(save=False)
        raise
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at, **{marker: message.pk})
    conversation.last_message_at = message.created_at
    setattr(conversation, marker, message.pk)
    recipient_id = conversation.freelancer_id if sender.pk == conversation.client_id else conversation.client_id
    _notification_ensure(conversation=conversation, recipient_id=recipient_id)
    fragments.changed_users([recipient_id, sender.pk])  # unread counts
    return message


def _notification_ensure(*, conversation: Conversation, recipient_id: int) -> None:
    # The lock waits for a digest being sent right now, so a message is either in that e-mail or starts a new one.
    pending = PendingNotification.objects.select_for_update().filter(
        conversation=conversation, recipient_id=recipient_id
    )
    if pending.exists():
        return
    try:
        with transaction.atomic():
            PendingNotification.objects.create(conversation=conversation, recipient_id=recipient_id)
    except IntegrityError:
        return  # another message of the same burst got there first

    conversation_id = conversation.pk
    transaction.on_commit(
        lambda: send_message_digest.schedule(
            kwargs={"conversation_id": conversation_id, "recipient_id": recipient_id}, delay=email_delay_seconds()
        )
    )


@transaction.atomic
def message_digest_send(*, conversation_id: int, recipient_id: int) -> int:
    """Send the pending new-message e-mail: one e-mail listing every message the recipient has neither read nor
    been e-mailed about (none if they read them meanwhile), then clear the pending row. Returns e-mails sent."""
    pending = (
        PendingNotification.objects.select_for_update()
        .filter(conversation_id=conversation_id, recipient_id=recipient_id)
        .first()
    )
    if pending is None:
        return 0
    conversation = Conversation.objects.select_related("job", "client", "freelancer").get(pk=conversation_id)
    recipient = conversation.client if recipient_id == conversation.client_id else conversation.freelancer
    unread = list(
        Message.objects.filter(
            conversation=conversation,
            notified_at__isnull=True,
            id__gt=conversation.last_read_id_for(recipient),
        )
        .exclude(sender_id=recipient_id)
        .select_related("sender")
        .order_by("id")
    )
    pending.delete()
    Message.objects.filter(pk__in=[message.pk for message in unread]).update(notified_at=timezone.now())
    if not unread or not recipient.is_active:
        return 0
    sender_name = conversation.other_party(recipient).name
    about = conversation.job.title if conversation.job else _("your work on Kamai")
    lines = [
        _("%(name)s sent you %(count)s new message(s) about %(about)s:")
        % {"name": sender_name, "count": len(unread), "about": about},
        "",
    ]
    for message in unread:
        when = timezone.localtime(message.created_at).strftime("%d %b %Y %H:%M")
        text = message.body if len(message.body) <= 500 else message.body[:500] + "…"
        lines.append(f"[{when}] {text}")
        if message.attachment_name:
            lines.append(_("Attachment: %(name)s") % {"name": message.attachment_name})
        lines.append("")
    path = reverse("messaging:conversation_detail", args=[conversation.pk])
    site = getattr(settings, "KAMAI_SITE_URL", "").rstrip("/")
    lines.append(_("Read and reply: %(url)s") % {"url": f"{site}{path}"})
    send_mail(
        "[Kamai] " + _("New messages from %(name)s") % {"name": sender_name},
        "\n".join(lines),
        None,
        [recipient.email],
    )
    return 1
