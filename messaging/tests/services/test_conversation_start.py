import pytest

from messaging import services
from messaging.errors import MessagingError, NotAllowed
from messaging.models import Conversation

pytestmark = pytest.mark.django_db


def test_proposal_starts_one_thread_between_client_and_freelancer(deal):
    conversation = services.conversation_start(starter=deal.freelancer, proposal=deal.proposal)
    assert (conversation.client, conversation.freelancer, conversation.job) == (deal.client, deal.freelancer, deal.job)
    assert conversation.proposal == deal.proposal
    again = services.conversation_start(starter=deal.client, proposal=deal.proposal)
    assert again.pk == conversation.pk


def test_offer_reuses_the_thread_of_the_same_job_and_records_the_offer(deal):
    first = services.conversation_start(starter=deal.client, proposal=deal.proposal)
    from_offer = services.conversation_start(starter=deal.freelancer, offer=deal.offer)
    assert from_offer.pk == first.pk
    from_offer.refresh_from_db()
    assert from_offer.offer == deal.offer
    assert Conversation.objects.count() == 1


def test_job_owner_can_message_any_freelancer_about_the_job(deal, stranger):
    conversation = services.conversation_start(starter=deal.client, job=deal.job, freelancer=stranger)
    assert (conversation.client, conversation.freelancer) == (deal.client, stranger)
    assert services.conversation_start(starter=deal.client, job=deal.job, freelancer=stranger).pk == conversation.pk


def test_others_cannot_start_conversations(deal, stranger, plain_user):
    with pytest.raises(NotAllowed):
        services.conversation_start(starter=stranger, proposal=deal.proposal)
    with pytest.raises(NotAllowed):
        services.conversation_start(starter=stranger, offer=deal.offer)
    with pytest.raises(NotAllowed):
        services.conversation_start(starter=deal.freelancer, job=deal.job, freelancer=stranger)
    with pytest.raises(NotAllowed):  # not a freelancer at all
        services.conversation_start(starter=deal.client, job=deal.job, freelancer=plain_user)
    with pytest.raises(MessagingError):
        services.conversation_start(starter=deal.client, job=deal.job, freelancer=deal.client)
    assert not Conversation.objects.exists()
