from decimal import Decimal

from accounts.models import Skill
from accounts.services import client_profile_ensure, freelancer_profile_ensure, freelancer_profile_update
from accounts.tests.factories import UserFactory
from marketplace import services


def make_client(**kwargs):
    user = UserFactory(active_hat="client", **kwargs)
    client_profile_ensure(user=user)
    return user


def make_freelancer(*, skills=(), headline="Django developer", rate="30", currency="USD", name=None, **kwargs):
    user = UserFactory(**kwargs)
    profile = freelancer_profile_ensure(user=user)
    freelancer_profile_update(
        profile=profile,
        display_name=name or f"Freelancer {user.pk}",
        headline=headline,
        skills=list(Skill.objects.filter(slug__in=skills)),
        hourly_rate=Decimal(rate),
        rate_currency=currency,
    )
    return user


def make_job(
    client=None,
    *,
    title="Build a Django shop",
    description="We need an online shop built with Django.",
    skills=("web-development",),
    budget_type="fixed",
    currency="USD",
    budget_min="500",
    budget_max="1000",
    visibility="public",
    publish=True,
):
    return services.job_save(
        client=client or make_client(),
        title=title,
        description=description,
        skills=list(Skill.objects.filter(slug__in=skills)),
        budget_type=budget_type,
        currency=currency,
        budget_min=Decimal(budget_min),
        budget_max=Decimal(budget_max),
        duration="weeks",
        experience_level="intermediate",
        visibility=visibility,
        publish=publish,
    )


def make_proposal(job, freelancer=None, *, bid="800", milestones=None):
    return services.proposal_submit(
        job=job,
        freelancer=freelancer or make_freelancer(),
        cover_letter="I have built many shops.",
        bid=Decimal(bid),
        currency=job.currency,
        duration="weeks",
        milestones=milestones,
    )
