"""A timeline line is written once, in the language of whoever acts, and read by both sides in theirs."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import force_login_with_mfa
from contracts import services
from contracts.models import Event
from contracts.tests.helpers import fixed_contract, key

pytestmark = pytest.mark.django_db


def urdu(text: str) -> str:
    with translation.override("ur"):
        return translation.gettext(text)


def test_a_line_written_in_english_reads_in_urdu_and_back():
    contract = fixed_contract()
    milestone = contract.milestones.first()
    with translation.override("en"):
        services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
        services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="Done")
    line = Event.objects.get(contract=contract, kind="submitted")
    english = "“Part 1” delivered for review."
    in_urdu = urdu("“%(title)s” delivered for review.") % {"title": "Part 1"}
    assert in_urdu != english  # the catalogue has it
    assert line.message == english and line.translations == {"ur": in_urdu}
    with translation.override("ur"):
        assert line.text == in_urdu
    with translation.override("en"):
        assert line.text == english


def test_the_contract_room_shows_each_reader_the_timeline_in_their_language(client):
    contract = fixed_contract()
    with translation.override("ur"):  # the client acts in Urdu
        services.milestone_fund(
            milestone=contract.milestones.first(), client=contract.client, provider="sandbox", idempotency_key=key()
        )
    funded = Event.objects.get(contract=contract, kind="funded")
    assert funded.message.startswith("“Part 1” funded:")  # stored in English too
    force_login_with_mfa(client, contract.freelancer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert "“Part 1” funded:" in page
    client.cookies["django_language"] = "ur"
    page = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert funded.translations["ur"].split(":")[0] in page
    assert "“Part 1” funded:" not in page


def test_words_typed_by_a_person_are_kept_as_typed():
    contract = fixed_contract()
    milestone = contract.milestones.first()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="Done")
    services.milestone_request_changes(milestone=milestone, client=contract.client, note="ہیڈر کا رنگ بدلیں")
    line = Event.objects.get(contract=contract, kind="changes_requested")
    assert "ہیڈر کا رنگ بدلیں" in line.message and "ہیڈر کا رنگ بدلیں" in line.translations["ur"]
