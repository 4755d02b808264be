from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace import services
from marketplace.errors import MarketplaceError, NotAllowed
from marketplace.models import ContractOffer, Review
from marketplace.tests.factories import make_client, make_job, make_proposal

pytestmark = pytest.mark.django_db


def ended_offer():
    job = make_job()
    proposal = make_proposal(job)
    offer = services.proposal_hire(proposal=proposal, client=job.client)
    services.offer_respond(offer=offer, freelancer=proposal.freelancer, accept=True)
    return services.offer_end(offer=offer, user=job.client)


def test_reviews_are_double_blind_until_both_are_in():
    offer = ended_offer()
    first = services.review_submit(offer=offer, author=offer.client, rating=5, text="Great work")
    first.refresh_from_db()
    assert first.revealed_at is None
    profile = offer.freelancer.freelancer_profile
    profile.refresh_from_db()
    assert profile.rating_count == 0  # hidden reviews do not count yet

    services.review_submit(offer=offer, author=offer.freelancer, rating=4, text="Clear brief")
    assert Review.objects.filter(revealed_at__isnull=True).count() == 0
    profile.refresh_from_db()
    assert (profile.rating_count, profile.rating, profile.job_success_pct) == (1, 5, 100)


def test_the_window_closing_reveals_a_lone_review():
    offer = ended_offer()
    services.review_submit(offer=offer, author=offer.client, rating=2, text="Late")
    assert services.reviews_reveal_due() == 0
    ContractOffer.objects.filter(pk=offer.pk).update(ended_at=timezone.now() - timedelta(days=15))
    assert services.reviews_reveal_due() == 1
    assert services.reviews_reveal_due() == 0  # running the job again changes nothing
    profile = offer.freelancer.freelancer_profile
    profile.refresh_from_db()
    assert (profile.rating_count, profile.job_success_pct) == (1, 0)


def test_review_rules():
    offer = ended_offer()
    with pytest.raises(NotAllowed):
        services.review_submit(offer=offer, author=make_client(), rating=5)
    with pytest.raises(MarketplaceError, match="1 to 5"):
        services.review_submit(offer=offer, author=offer.client, rating=6)
    services.review_submit(offer=offer, author=offer.client, rating=5)
    with pytest.raises(MarketplaceError, match="already reviewed"):
        services.review_submit(offer=offer, author=offer.client, rating=4)
    ContractOffer.objects.filter(pk=offer.pk).update(ended_at=timezone.now() - timedelta(days=15))
    offer.refresh_from_db()
    with pytest.raises(MarketplaceError, match="window has closed"):
        services.review_submit(offer=offer, author=offer.freelancer, rating=5)


def test_reviews_only_open_when_the_contract_ends():
    job = make_job()
    offer = services.proposal_hire(proposal=make_proposal(job), client=job.client)
    with pytest.raises(MarketplaceError, match="contract ends"):
        services.review_submit(offer=offer, author=job.client, rating=5)
