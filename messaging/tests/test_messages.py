import pytest
from django.core.cache import cache
from django.urls import reverse

from marketplace.models import Job
from messaging import selectors, services
from messaging.context_processors import unread
from messaging.models import MAX_BODY_LENGTH, Message
from messaging.tests.conftest import make_job, make_proposal

pytestmark = pytest.mark.django_db


def test_conversation_page_lists_oldest_first_and_marks_read(client, deal):
    conversation = deal.conversation()
    for text in ["First message", "Second message", "Third message"]:
        services.message_send(conversation=conversation, sender=deal.client, body=text)
    client.force_login(deal.freelancer)
    assert client.get(reverse("messaging:inbox")).context["unread_messages"] == 3
    page = client.get(reverse("messaging:conversation_detail", args=[conversation.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("First message") < html.index("Second message") < html.index("Third message")
    assert "Acme Traders" in html
    assert selectors.unread_total(deal.freelancer) == 0
    assert 'href="/static/messaging/htmx.min.js"' not in html
    assert "Refresh" in html


def test_reply_through_the_form(client, deal):
    conversation = deal.conversation()
    client.force_login(deal.freelancer)
    url = reverse("messaging:conversation_detail", args=[conversation.pk])
    response = client.post(url, {"body": "I can start Monday."})
    assert response.status_code == 302
    assert response["Location"] == url + "#latest"
    message = Message.objects.get()
    assert (message.sender, message.body) == (deal.freelancer, "I can start Monday.")
    assert "I can start Monday." in client.get(url).content.decode()


def test_empty_reply_shows_an_error_and_saves_nothing(client, deal):
    conversation = deal.conversation()
    client.force_login(deal.freelancer)
    response = client.post(reverse("messaging:conversation_detail", args=[conversation.pk]), {"body": "   "})
    assert response.status_code == 200
    assert "Write a message or attach a file." in response.content.decode()
    assert not Message.objects.exists()


def test_too_long_reply_shows_an_error(client, deal):
    conversation = deal.conversation()
    client.force_login(deal.freelancer)
    response = client.post(
        reverse("messaging:conversation_detail", args=[conversation.pk]), {"body": "x" * (MAX_BODY_LENGTH + 1)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert not Message.objects.exists()


def test_message_list_partial_for_the_refresh_script(client, deal):
    conversation = deal.conversation()
    message = services.message_send(conversation=conversation, sender=deal.client, body="Polling works")
    client.force_login(deal.freelancer)
    response = client.get(reverse("messaging:conversation_message_list", args=[conversation.pk]))
    assert response.status_code == 200
    assert "Polling works" in response.content.decode()
    assert "<html" not in response.content.decode()
    assert response["X-Last-Message"] == str(message.pk)
    assert response["Cache-Control"] == "no-store"
    assert selectors.unread_total(deal.freelancer) == 0


def test_earlier_messages_are_paged(client, deal, settings):
    conversation = deal.conversation()
    for n in range(selectors.PAGE_SIZE + 5):
        services.message_send(conversation=conversation, sender=deal.client, body=f"msg-{n:03d}")
    client.force_login(deal.freelancer)
    url = reverse("messaging:conversation_detail", args=[conversation.pk])
    latest = client.get(url)
    assert "msg-000" not in latest.content.decode() and f"msg-{selectors.PAGE_SIZE + 4:03d}" in latest.content.decode()
    assert latest.context["has_older"]
    older = client.get(url, {"before": latest.context["page"][0].pk})
    assert "msg-000" in older.content.decode()
    assert not older.context["has_older"]


def test_inbox_lists_conversations_without_n_plus_one(client, deal, stranger, django_assert_max_num_queries):
    def add_conversation(n):
        job = make_job(deal.client, title=f"Job number {n}")
        from accounts.tests.factories import FreelancerProfileFactory

        freelancer = FreelancerProfileFactory(display_name=f"Freelancer number {n}").user
        conversation = services.conversation_start(starter=freelancer, proposal=make_proposal(job, freelancer))
        services.message_send(conversation=conversation, sender=freelancer, body="hello")
        services.message_send(conversation=conversation, sender=freelancer, body="are you there?")
        return conversation

    for n in range(3):
        add_conversation(n)
    client.force_login(deal.client)
    url = reverse("messaging:inbox")
    client.get(url)
    cache.clear()  # both measured pages count the unread badge afresh
    with django_assert_max_num_queries(8) as few:
        response = client.get(url)
    baseline = len(few.captured_queries)
    for n in range(3, 10):
        add_conversation(n)
    cache.clear()
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    html = response.content.decode()
    assert response.context["unread_messages"] == 20
    assert "Freelancer number 9" in html and "Job number 9" in html
    rows = list(response.context["conversations"])
    assert len(rows) == 10
    assert all(row.unread == 2 for row in rows)
    assert rows[0].job.title == "Job number 9"  # newest activity first
    assert Job.objects.filter(client=deal.client).count() == 11


def test_inbox_shows_the_client_to_the_freelancer(client, deal):
    conversation = deal.conversation()
    services.message_send(conversation=conversation, sender=deal.client, body="Hi")
    client.force_login(deal.freelancer)
    response = client.get(reverse("messaging:inbox"))
    html = response.content.decode()
    assert "Acme Traders" in html and deal.job.title in html
    assert list(response.context["conversations"])[0].unread == 1


def test_unread_context_processor(rf, deal, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request) == {}
    services.message_send(conversation=deal.conversation(), sender=deal.client, body="Hi")
    request.user = deal.freelancer
    context = unread(request)
    with django_assert_num_queries(1):
        assert context["unread_messages"] == 1
        assert bool(context["unread_messages"]) and str(context["unread_messages"]) == "1"


def test_nav_shows_messages_link_and_badge(client, deal):
    services.message_send(conversation=deal.conversation(), sender=deal.client, body="Hi")
    client.force_login(deal.freelancer)
    html = client.get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("messaging:inbox")}"' in html
    assert '<span class="badge" aria-label="unread">1</span>' in html


def test_urdu_conversation_page(client, deal):
    conversation = deal.conversation()
    services.message_send(conversation=conversation, sender=deal.client, body="Salaam")
    client.cookies["django_language"] = "ur"
    client.force_login(deal.freelancer)
    html = client.get(reverse("messaging:conversation_detail", args=[conversation.pk])).content.decode()
    assert 'dir="rtl"' in html
    assert "Refresh" not in html and "تازہ کریں" in html
    assert "Conversation with" not in html
