"""New-message e-mail: delayed and batched. Huey is immediate in tests but keeps delayed tasks on its schedule,
so the tests run the task with call_local() when "the delay has passed"."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from messaging import services
from messaging.models import PendingNotification
from messaging.tasks import send_message_digest

pytestmark = pytest.mark.django_db


def run_digest(conversation, recipient) -> int:
    return send_message_digest.call_local(conversation_id=conversation.pk, recipient_id=recipient.pk)


def test_burst_of_five_messages_sends_exactly_one_email(deal):
    conversation = deal.conversation()
    for n in range(5):
        services.message_send(conversation=conversation, sender=deal.client, body=f"Point number {n}")
    assert PendingNotification.objects.filter(recipient=deal.freelancer).count() == 1
    assert not mail.outbox  # nothing is sent before the delay

    assert run_digest(conversation, deal.freelancer) == 1
    assert run_digest(conversation, deal.freelancer) == 0  # the row is cleared: a second run sends nothing
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [deal.freelancer.email]
    assert "Acme Traders" in email.subject
    for n in range(5):
        assert f"Point number {n}" in email.body
    assert reverse("messaging:conversation_detail", args=[conversation.pk]) in email.body
    assert not PendingNotification.objects.exists()


def test_one_task_is_scheduled_per_burst_with_the_configured_delay(deal, settings, django_capture_on_commit_callbacks):
    settings.KAMAI_MESSAGE_EMAIL_DELAY_SECONDS = 120
    conversation = deal.conversation()
    HUEY.flush()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for n in range(5):
            services.message_send(conversation=conversation, sender=deal.client, body=f"m{n}")
    # One scheduling callback for the burst (the others renew cached unread counts: common.fragments).
    assert len([c for c in callbacks if c.__qualname__ != "changed.<locals>.bump"]) == 1
    scheduled = HUEY.scheduled()
    assert len(scheduled) == 1
    task = scheduled[0]
    assert task.kwargs == {"conversation_id": conversation.pk, "recipient_id": deal.freelancer.pk}
    assert timedelta(seconds=110) < task.eta - datetime.now(UTC).replace(tzinfo=None) <= timedelta(seconds=120)
    assert not mail.outbox
    HUEY.flush()


def test_no_email_if_read_before_the_delay(client, deal):
    conversation = deal.conversation()
    services.message_send(conversation=conversation, sender=deal.client, body="Are you free?")
    client.force_login(deal.freelancer)
    client.get(reverse("messaging:conversation_detail", args=[conversation.pk]))
    assert run_digest(conversation, deal.freelancer) == 0
    assert not mail.outbox
    assert not PendingNotification.objects.exists()


def test_email_lists_only_what_is_still_unread(deal):
    conversation = deal.conversation()
    services.message_send(conversation=conversation, sender=deal.client, body="Old news")
    services.conversation_mark_read(conversation=conversation, reader=deal.freelancer)
    services.message_send(conversation=conversation, sender=deal.client, body="Fresh news")
    run_digest(conversation, deal.freelancer)
    assert len(mail.outbox) == 1
    assert "Fresh news" in mail.outbox[0].body and "Old news" not in mail.outbox[0].body


def test_replying_counts_as_reading_and_a_new_burst_gets_a_new_email(deal):
    conversation = deal.conversation()
    services.message_send(conversation=conversation, sender=deal.client, body="Hello")
    services.message_send(conversation=conversation, sender=deal.freelancer, body="Hi back")
    assert PendingNotification.objects.count() == 2
    assert run_digest(conversation, deal.freelancer) == 0  # they replied, so they saw "Hello"
    assert run_digest(conversation, deal.client) == 1
    assert [m.to for m in mail.outbox] == [[deal.client.email]]
    assert "Hi back" in mail.outbox[0].body

    services.message_send(conversation=conversation, sender=deal.client, body="Second burst")
    assert run_digest(conversation, deal.freelancer) == 1
    assert mail.outbox[1].to == [deal.freelancer.email]
    assert "Second burst" in mail.outbox[1].body and "Hello" not in mail.outbox[1].body


def test_attachment_names_appear_in_the_email(deal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = deal.conversation()
    services.message_send(
        conversation=conversation,
        sender=deal.client,
        body="",
        attachment=SimpleUploadedFile("brief.pdf", b"%PDF-1.4\n"),
    )
    run_digest(conversation, deal.freelancer)
    assert "brief.pdf" in mail.outbox[0].body


def test_message_committed_late_with_a_lower_id_is_still_emailed(deal):
    # Regression (found by test_concurrency on PostgreSQL): message 1's transaction commits after message 2's has
    # already created the pending row; a digest listing "from the first notified message on" dropped message 1.
    from messaging.models import Message

    conversation = deal.conversation()
    Message.objects.create(conversation=conversation, sender=deal.client, body="Committed late")
    services.message_send(conversation=conversation, sender=deal.client, body="Committed first")
    run_digest(conversation, deal.freelancer)
    assert "Committed late" in mail.outbox[0].body and "Committed first" in mail.outbox[0].body
