"""The conversation page fits STYLE.md's 60 KB budget, counted uncompressed: HTML + site.css + any script.

htmx.min.js (htmx.org 2.0.11) is 52,182 bytes; with site.css (4.4 KB) that leaves under 5 KB for the HTML, which
the nav and a reply form alone nearly fill. So the page uses a tiny inline script to refresh the list instead."""

import pytest
from django.urls import reverse

from messaging import selectors, services
from web.tests.test_page_weight import BUDGET, page_weight

pytestmark = pytest.mark.django_db


def test_conversation_page_fits_the_budget_with_a_full_page_of_messages(client, deal):
    conversation = deal.conversation()
    for n in range(selectors.PAGE_SIZE + 1):
        sender = deal.client if n % 2 else deal.freelancer
        services.message_send(conversation=conversation, sender=sender, body=f"Message {n}: " + "words " * 40)
    client.force_login(deal.freelancer)
    url = reverse("messaging:conversation_detail", args=[conversation.pk])
    total, assets = page_weight(client, url)
    assert assets == ["/static/web/favicon.svg", "/static/web/site.css"]  # the favicon is counted too
    assert total < BUDGET, f"{url} weighs {total} bytes"
    html = client.get(url).content.decode()
    script = html[html.index("<script") : html.index("</script>")]
    assert len(script.encode()) < 1024


def test_inbox_fits_the_budget(client, deal):
    services.message_send(conversation=deal.conversation(), sender=deal.client, body="Hi")
    client.force_login(deal.client)
    total, _ = page_weight(client, reverse("messaging:inbox"))
    assert total < BUDGET
