import pytest

from messaging import selectors, services
from messaging.errors import MessagingError, NotAllowed
from messaging.models import MAX_BODY_LENGTH, Message

pytestmark = pytest.mark.django_db


def test_send_and_unread_counts(deal):
    conversation = deal.conversation()
    services.message_send(conversation=conversation, sender=deal.client, body="  Hello Ayesha  ")
    services.message_send(conversation=conversation, sender=deal.client, body="When can you start?")
    assert Message.objects.first().body == "Hello Ayesha"
    assert selectors.unread_total(deal.freelancer) == 2
    assert selectors.unread_total(deal.client) == 0  # your own messages are read
    conversation.refresh_from_db()
    assert conversation.last_message_at == Message.objects.last().created_at

    services.conversation_mark_read(conversation=conversation, reader=deal.freelancer)
    assert selectors.unread_total(deal.freelancer) == 0
    services.message_send(conversation=conversation, sender=deal.freelancer, body="Monday.")
    assert selectors.unread_total(deal.client) == 1


def test_read_marker_never_moves_back(deal):
    conversation = deal.conversation()
    first = services.message_send(conversation=conversation, sender=deal.client, body="one")
    services.message_send(conversation=conversation, sender=deal.client, body="two")
    services.conversation_mark_read(conversation=conversation, reader=deal.freelancer)
    services.conversation_mark_read(conversation=conversation, reader=deal.freelancer, up_to_message_id=first.pk)
    assert selectors.unread_total(deal.freelancer) == 0


def test_send_refuses_empty_long_and_strangers(deal, stranger):
    conversation = deal.conversation()
    with pytest.raises(MessagingError):
        services.message_send(conversation=conversation, sender=deal.client, body="   ")
    with pytest.raises(MessagingError):
        services.message_send(conversation=conversation, sender=deal.client, body="x" * (MAX_BODY_LENGTH + 1))
    with pytest.raises(NotAllowed):
        services.message_send(conversation=conversation, sender=stranger, body="hi")
    assert not Message.objects.exists()
