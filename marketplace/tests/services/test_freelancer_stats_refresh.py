"""Job success counts a dispute decided against the freelancer, as soon as the mediator decides it."""

from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from contracts import services as contract_services
from contracts.services import MilestoneTerms
from contracts.tests.helpers import assert_ledger_clean, key
from marketplace import services
from marketplace.tests.factories import make_client, make_freelancer, make_job, make_proposal

pytestmark = pytest.mark.django_db


def job_success(freelancer):
    profile = freelancer.freelancer_profile
    profile.refresh_from_db()
    return profile.job_success_pct


def reviewed(freelancer, rating):
    """A marketplace contract that ended with the client's revealed review."""
    job = make_job()
    offer = services.proposal_hire(proposal=make_proposal(job, freelancer), client=job.client)
    services.offer_respond(offer=offer, freelancer=freelancer, accept=True)
    offer = services.offer_end(offer=offer, user=job.client)
    services.review_submit(offer=offer, author=offer.client, rating=rating)
    services.review_submit(offer=offer, author=freelancer, rating=5)
    return offer


def disputed_milestone(contract):
    milestone = contract.milestones.get()
    contract_services.milestone_fund(
        milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key()
    )
    return contract_services.dispute_open(contract=contract, user=contract.client, milestone=milestone, reason="r")


def direct_contract(freelancer, amount="500"):
    return contract_services.contract_create(
        freelancer=freelancer,
        client=make_client(),
        title="Catalogue",
        kind="fixed",
        currency="USD",
        milestones=[MilestoneTerms("Products", Decimal(amount), date.today() + timedelta(days=7))],
        accepted_by_client=True,
    )


def decide(dispute, to_freelancer, to_client):
    return contract_services.dispute_decide(
        dispute=dispute,
        staff=UserFactory(is_staff=True),
        to_freelancer=Decimal(to_freelancer),
        to_client=Decimal(to_client),
        decision="Decided on the evidence",
    )


def test_a_split_against_the_freelancer_lowers_job_success_when_decided(client):
    freelancer = make_freelancer()
    reviewed(freelancer, 5)
    assert job_success(freelancer) == 100

    decide(disputed_milestone(direct_contract(freelancer)), "350", "150")
    assert job_success(freelancer) == 50  # one good contract of two counted

    profile = freelancer.freelancer_profile
    page = unescape(client.get(reverse("marketplace:freelancer_public", args=[profile.slug])).content.decode())
    assert "50%" in page
    assert "a dispute is lost when the mediator refunds any of the disputed amount to the client" in page
    assert_ledger_clean()


def test_a_dispute_decided_for_the_freelancer_does_not_count_against_them():
    freelancer = make_freelancer()
    reviewed(freelancer, 5)
    decide(disputed_milestone(direct_contract(freelancer)), "500", "0")
    assert job_success(freelancer) == 100


def test_a_full_refund_counts_even_without_any_review():
    freelancer = make_freelancer()
    assert job_success(freelancer) is None
    decide(disputed_milestone(direct_contract(freelancer)), "0", "500")
    assert job_success(freelancer) == 0


def test_a_good_review_does_not_make_a_lost_dispute_on_the_same_contract_good():
    freelancer = make_freelancer()
    reviewed(freelancer, 5)
    job = make_job()
    offer = services.proposal_hire(proposal=make_proposal(job, freelancer), client=job.client)
    services.offer_respond(offer=offer, freelancer=freelancer, accept=True)
    decide(disputed_milestone(offer.contract), "700", "100")  # the whole 800 bid was disputed
    offer.refresh_from_db()
    assert offer.state == "ended"  # the decision settled the last milestone, so the contract ended
    services.review_submit(offer=offer, author=offer.client, rating=5)
    services.review_submit(offer=offer, author=freelancer, rating=5)
    assert job_success(freelancer) == 50  # the first contract good, this one counted once and not good
