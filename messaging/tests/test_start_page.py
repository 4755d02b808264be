import pytest
from django.urls import reverse

from messaging.models import Conversation

pytestmark = pytest.mark.django_db


def test_start_view_redirects_to_the_thread(client, deal):
    client.force_login(deal.freelancer)
    response = client.post(reverse("messaging:conversation_start"), {"proposal": deal.proposal.pk})
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:conversation_detail", args=[conversation.pk])
    client.force_login(deal.client)
    assert (
        client.post(reverse("messaging:conversation_start"), {"offer": deal.offer.pk})["Location"]
        == response["Location"]
    )
    assert Conversation.objects.count() == 1


def test_start_view_with_job_and_freelancer(client, deal, stranger):
    client.force_login(deal.client)
    response = client.post(reverse("messaging:conversation_start"), {"job": deal.job.pk, "freelancer": stranger.pk})
    assert response.status_code == 302
    assert Conversation.objects.get().freelancer == stranger


@pytest.mark.parametrize("field", ["proposal", "offer"])
def test_stranger_gets_404_starting_on_someone_elses_deal(client, deal, stranger, field):
    client.force_login(stranger)
    target = deal.proposal if field == "proposal" else deal.offer
    assert client.post(reverse("messaging:conversation_start"), {field: target.pk}).status_code == 404
    assert not Conversation.objects.exists()


def test_start_view_404s(client, deal, stranger):
    client.force_login(stranger)
    url = reverse("messaging:conversation_start")
    assert client.post(url, {"job": deal.job.pk, "freelancer": deal.freelancer.pk}).status_code == 404
    assert client.post(url, {"proposal": "999999"}).status_code == 404
    assert client.post(url, {"proposal": "not-a-number"}).status_code == 404
    assert client.post(url, {}).status_code == 404
    assert client.get(url).status_code == 405
    assert not Conversation.objects.exists()


def test_start_needs_login(client, deal):
    response = client.post(reverse("messaging:conversation_start"), {"proposal": deal.proposal.pk})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_message_buttons_on_proposal_and_offer_pages_post_to_start(client, deal):
    client.force_login(deal.client)
    start = reverse("messaging:conversation_start")
    assert (
        f'action="{start}"'
        in client.get(reverse("marketplace:proposal_detail", args=[deal.proposal.pk])).content.decode()
    )
    assert f'action="{start}"' in client.get(reverse("marketplace:offer_detail", args=[deal.offer.pk])).content.decode()
