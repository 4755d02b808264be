"""A wallet statement line says what happened in words, in the reader's language, and links to where it
happened (the contract room, the withdrawal), instead of a raw reference like "milestone:11"."""

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.tests.factories import force_login_with_mfa
from contracts import services
from contracts.tests.helpers import fixed_contract, key
from ledger.services import freelancer_wallet_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def released():
    contract = fixed_contract(amounts=("500",))
    milestone = contract.milestones.get()
    services.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    services.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="Done")
    services.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    return contract


def statement_page(client, contract, language):
    account = freelancer_wallet_account(freelancer=contract.freelancer, currency="USD")
    force_login_with_mfa(client, contract.freelancer)
    client.cookies["django_language"] = language
    response = client.get(reverse("ledger:wallet_statement", args=[account.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_release_reads_as_words_with_a_link_to_the_contract(client, released):
    page = statement_page(client, released, "en")
    assert "Milestone released" in page
    assert f'href="{reverse("contracts:contract_detail", args=[released.pk])}"' in page
    assert "Contract “Shop build”" in page
    assert "milestone:" not in page
    today = timezone.localdate()
    assert f"{today.day} {formats.date_format(today, 'M')} {today.year}" in page


def test_in_urdu_the_kind_and_the_month_are_urdu(client, released):
    page = statement_page(client, released, "ur")
    with translation.override("ur"):
        kind = translation.gettext("Milestone released")
        month = formats.date_format(timezone.localdate(), "M")
    assert kind != "Milestone released" and kind in page
    assert month in page
    assert "Milestone released" not in page


def test_a_stranger_cannot_read_the_statement(client, released):
    from contracts.tests.helpers import stranger

    account = freelancer_wallet_account(freelancer=released.freelancer, currency="USD")
    force_login_with_mfa(client, stranger())
    assert client.get(reverse("ledger:wallet_statement", args=[account.pk])).status_code == 404
