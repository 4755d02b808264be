"""A valid client, freelancer, job, proposal and offer, made through marketplace.services like real ones."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from accounts.models import Skill
from accounts.tests.factories import ClientProfileFactory, FreelancerProfileFactory, UserFactory
from marketplace import services as marketplace
from marketplace.models import ContractOffer, Job, Proposal
from messaging import services
from messaging.models import Conversation


def make_job(client_user, title="Build a Django shop") -> Job:
    return marketplace.job_save(
        client=client_user,
        title=title,
        description="A small online shop with payments.",
        skills=list(Skill.objects.all()[:1]),
        budget_type="fixed",
        currency="USD",
        budget_min=Decimal("100"),
        budget_max=Decimal("500"),
        duration="weeks",
        experience_level="intermediate",
        publish=True,
    )


def make_proposal(job, freelancer_user) -> Proposal:
    return marketplace.proposal_submit(
        job=job,
        freelancer=freelancer_user,
        cover_letter="I have built three shops like this.",
        bid=Decimal("300"),
        currency="USD",
        duration="weeks",
    )


@dataclass
class Deal:
    client: object
    freelancer: object
    job: Job
    proposal: Proposal
    offer: ContractOffer

    def conversation(self) -> Conversation:
        return services.conversation_start(starter=self.client, proposal=self.proposal)


@pytest.fixture
def deal() -> Deal:
    client_user = ClientProfileFactory(name="Acme Traders").user
    freelancer_user = FreelancerProfileFactory(display_name="Ayesha Siddiqui").user
    job = make_job(client_user)
    proposal = make_proposal(job, freelancer_user)
    offer = marketplace.proposal_hire(proposal=proposal, client=client_user)
    return Deal(client=client_user, freelancer=freelancer_user, job=job, proposal=proposal, offer=offer)


@pytest.fixture
def stranger():
    return FreelancerProfileFactory(display_name="Someone Else").user


@pytest.fixture
def plain_user():
    return UserFactory()
