"""Real threads on PostgreSQL: both sides pressing "Message" at once get one thread, and messages arriving while
a digest is being sent are never lost (each is in that e-mail or starts the next one)."""

import threading

import pytest
from django.core import mail
from django.db import connection

from messaging import services
from messaging.models import Conversation, Message, PendingNotification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrency tests need PostgreSQL row locks (SQLite serialises all writers).")


def _run_threads(targets):
    errors = []
    start = threading.Barrier(len(targets))

    def worker(target):
        try:
            start.wait()
            target()
        except Exception as error:  # noqa: BLE001 - reported to the main thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_simultaneous_starts_make_one_conversation(deal):
    ids = []

    def start_from_proposal():
        ids.append(services.conversation_start(starter=deal.freelancer, proposal=deal.proposal).pk)

    def start_from_offer():
        ids.append(services.conversation_start(starter=deal.client, offer=deal.offer).pk)

    _run_threads([start_from_proposal, start_from_offer] * 5)
    assert Conversation.objects.count() == 1
    assert set(ids) == {Conversation.objects.get().pk}


def test_no_message_is_lost_while_a_digest_is_sent(deal):
    conversation = deal.conversation()

    def sender(n):
        return lambda: [
            services.message_send(conversation=conversation, sender=deal.client, body=f"msg-{n}-{k}") for k in range(5)
        ]

    def digester():
        for _ in range(10):
            services.message_digest_send(conversation_id=conversation.pk, recipient_id=deal.freelancer.pk)

    _run_threads([sender(n) for n in range(6)] + [digester, digester])
    services.message_digest_send(conversation_id=conversation.pk, recipient_id=deal.freelancer.pk)
    assert not PendingNotification.objects.exists()
    emailed = "\n".join(message.body for message in mail.outbox)
    bodies = list(Message.objects.values_list("body", flat=True))
    assert len(bodies) == 30
    assert all(body in emailed for body in bodies)
