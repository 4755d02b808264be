"""Strangers get 404 everywhere (they learn nothing, not even that a conversation exists); anonymous users log in."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging import services
from messaging.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(deal):
    conversation = deal.conversation()
    message = services.message_send(
        conversation=conversation,
        sender=deal.client,
        body="The brief",
        attachment=SimpleUploadedFile("brief.pdf", b"%PDF-1.4\nsecret brief\n%%EOF\n"),
    )
    return conversation, message


def _urls(conversation, message):
    return {
        "page": reverse("messaging:conversation_detail", args=[conversation.pk]),
        "list": reverse("messaging:conversation_message_list", args=[conversation.pk]),
        "file": reverse("messaging:message_attachment", args=[message.pk]),
    }


def test_stranger_gets_404_on_page_reply_list_and_attachment(client, thread, stranger):
    conversation, message = thread
    urls = _urls(conversation, message)
    client.force_login(stranger)
    assert client.get(urls["page"]).status_code == 404
    assert client.get(urls["list"]).status_code == 404
    assert client.get(urls["file"]).status_code == 404
    assert client.post(urls["page"], {"body": "let me in"}).status_code == 404
    assert Message.objects.count() == 1
    assert "The brief" not in client.get(reverse("messaging:inbox")).content.decode()


def test_anonymous_users_are_sent_to_login(client, thread):
    conversation, message = thread
    login = reverse("account_login")
    for url in [*_urls(conversation, message).values(), reverse("messaging:inbox")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    response = client.post(_urls(conversation, message)["page"], {"body": "hi"})
    assert response.status_code == 302 and response["Location"].startswith(login)
    assert Message.objects.count() == 1


def test_participants_download_the_attachment_as_a_file(client, thread, deal):
    conversation, message = thread
    url = reverse("messaging:message_attachment", args=[message.pk])
    for user in (deal.client, deal.freelancer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4\nsecret brief\n%%EOF\n"
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="brief.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_attachments_are_stored_privately_under_random_names(thread, settings):
    _, message = thread
    assert message.attachment.name.startswith("messages/")
    assert "brief" not in message.attachment.name
    assert (settings.MEDIA_ROOT / message.attachment.name).exists()


def test_message_without_attachment_has_no_download(client, deal):
    conversation = deal.conversation()
    message = services.message_send(conversation=conversation, sender=deal.client, body="text only")
    client.force_login(deal.client)
    assert client.get(reverse("messaging:message_attachment", args=[message.pk])).status_code == 404


def test_refresh_script_runs_under_the_content_security_policy_by_its_nonce(client, deal):
    conversation = deal.conversation()
    client.force_login(deal.client)
    url = reverse("messaging:conversation_detail", args=[conversation.pk])
    first, second = client.get(url), client.get(url)
    nonces = []
    for response in (first, second):
        policy = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        assert f'<script nonce="{nonce}">' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
