import pytest

from marketplace import services
from marketplace.errors import InvalidTransition, MarketplaceError, NotAllowed
from marketplace.models import ContractOffer, JobState
from marketplace.tests.factories import make_client, make_job, make_proposal

pytestmark = pytest.mark.django_db


def test_job_state_machine():
    job = make_job(publish=False)
    assert job.state == JobState.DRAFT
    with pytest.raises(InvalidTransition):
        services.job_transition(job=job, client=job.client, to_state=JobState.CLOSED)
    job = services.job_transition(job=job, client=job.client, to_state=JobState.OPEN)
    assert job.published_at is not None
    job = services.job_transition(job=job, client=job.client, to_state=JobState.CLOSED)
    with pytest.raises(MarketplaceError, match="not taking proposals"):
        make_proposal(job)
    job = services.job_transition(job=job, client=job.client, to_state=JobState.OPEN)
    with pytest.raises(NotAllowed):
        services.job_transition(job=job, client=make_client(), to_state=JobState.CLOSED)


def test_bad_job_budget_is_refused():
    with pytest.raises(MarketplaceError, match="below its bottom"):
        make_job(budget_min="500", budget_max="100")
    with pytest.raises(MarketplaceError, match="more than zero"):
        make_job(budget_min="0", budget_max="100")
    assert not ContractOffer.objects.exists()
