from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace import services
from marketplace.errors import InvalidTransition, MarketplaceError, NotAllowed
from marketplace.models import OfferState, Proposal, ProposalState
from marketplace.services import MilestonePlan
from marketplace.tests.factories import make_client, make_freelancer, make_job, make_proposal

pytestmark = pytest.mark.django_db
SOON = date.today() + timedelta(days=10)


def test_proposal_with_milestones_that_sum_to_the_bid():
    job = make_job()
    proposal = make_proposal(
        job,
        bid="800",
        milestones=[MilestonePlan("Design", Decimal("300"), SOON), MilestonePlan("Build", Decimal("500"), SOON)],
    )
    assert proposal.bid_minor == 80000
    assert [m.amount_minor for m in proposal.milestones.all()] == [30000, 50000]


def test_milestones_that_do_not_sum_are_refused_and_nothing_saved():
    job = make_job()
    with pytest.raises(MarketplaceError, match="add up to"):
        make_proposal(job, bid="800", milestones=[MilestonePlan("All", Decimal("700"), SOON)])
    assert not Proposal.objects.exists()


def test_bid_in_the_wrong_currency_or_with_too_many_decimals_is_refused():
    job = make_job(currency="USD")
    with pytest.raises(MarketplaceError, match="job's currency"):
        services.proposal_submit(
            job=job,
            freelancer=make_freelancer(),
            cover_letter="Hi",
            bid=Decimal("10"),
            currency="EUR",
            duration="weeks",
        )
    with pytest.raises(MarketplaceError, match="more decimals than USD allows"):
        make_proposal(job, bid="10.005")
    assert not Proposal.objects.exists()


def test_empty_cover_letter_is_refused():
    job = make_job()
    with pytest.raises(MarketplaceError, match="cover letter"):
        services.proposal_submit(
            job=job,
            freelancer=make_freelancer(),
            cover_letter="   ",
            bid=Decimal("10"),
            currency="USD",
            duration="weeks",
        )


def test_one_proposal_per_job_and_not_on_your_own_job():
    job = make_job()
    freelancer = make_freelancer()
    make_proposal(job, freelancer)
    with pytest.raises(MarketplaceError, match="already sent"):
        make_proposal(job, freelancer)
    with pytest.raises(NotAllowed, match="own job"):
        make_proposal(job, job.client)
    assert Proposal.objects.count() == 1


def test_invite_only_jobs_take_proposals_only_from_invited_freelancers():
    job = make_job(visibility="invite_only")
    stranger = make_freelancer()
    with pytest.raises(NotAllowed):
        make_proposal(job, stranger)
    invited = make_freelancer()
    services.invitation_send(job=job, client=job.client, freelancer=invited)
    assert make_proposal(job, invited).state == ProposalState.SUBMITTED


def test_edit_until_viewed_then_locked():
    job = make_job()
    proposal = make_proposal(job)
    services.proposal_edit(
        proposal=proposal,
        freelancer=proposal.freelancer,
        cover_letter="Better letter",
        bid=Decimal("750"),
        duration="months",
    )
    proposal.refresh_from_db()
    assert (proposal.bid_minor, proposal.cover_letter) == (75000, "Better letter")
    services.proposal_mark_viewed(proposal=proposal, viewer=job.client)
    with pytest.raises(MarketplaceError, match="already seen"):
        services.proposal_edit(
            proposal=proposal, freelancer=proposal.freelancer, cover_letter="x", bid=Decimal("1"), duration="weeks"
        )


def test_only_the_job_owner_shortlists_declines_and_hires():
    job = make_job()
    proposal = make_proposal(job)
    other_client = make_client()
    for action in (services.proposal_shortlist, services.proposal_hire):
        with pytest.raises(NotAllowed):
            action(proposal=proposal, client=other_client)
    with pytest.raises(NotAllowed):
        services.proposal_decline(proposal=proposal, client=proposal.freelancer)
    with pytest.raises(NotAllowed):
        services.proposal_withdraw(proposal=proposal, freelancer=other_client)


def test_decline_with_reason_then_no_way_back():
    job = make_job()
    proposal = make_proposal(job)
    services.proposal_decline(proposal=proposal, client=job.client, reason="Budget too high")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decline_reason) == (ProposalState.DECLINED, "Budget too high")
    with pytest.raises(InvalidTransition):
        services.proposal_hire(proposal=proposal, client=job.client)


def test_hire_creates_an_offer_with_the_proposals_terms_and_accepting_hands_off():
    job = make_job()
    proposal = make_proposal(job, bid="800", milestones=[MilestonePlan("All of it", Decimal("800"), SOON)])
    services.proposal_shortlist(proposal=proposal, client=job.client)
    offer = services.proposal_hire(proposal=proposal, client=job.client)
    assert (offer.amount_minor, offer.currency, offer.budget_type) == (80000, "USD", "fixed")
    assert offer.milestones == [{"title": "All of it", "amount_minor": 80000, "due_date": SOON.isoformat()}]
    with pytest.raises(NotAllowed):
        services.offer_respond(offer=offer, freelancer=job.client, accept=True)
    offer = services.offer_respond(offer=offer, freelancer=proposal.freelancer, accept=True)
    assert offer.state == OfferState.ACCEPTED and offer.accepted_at
    with pytest.raises(InvalidTransition):
        services.offer_respond(offer=offer, freelancer=proposal.freelancer, accept=False)
