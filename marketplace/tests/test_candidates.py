"""The per-skill candidate lists follow every write to jobs and profiles, and recommendations read them."""

from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import FreelancerProfile, Skill
from accounts.services import freelancer_profile_update
from marketplace import candidates, selectors, services
from marketplace.models import FreelancerSkillRank, JobState, OpenJobSkill
from marketplace.tests.factories import make_freelancer, make_job, make_proposal

pytestmark = pytest.mark.django_db


def listed_jobs():
    return set(OpenJobSkill.objects.values_list("job_id", "skill__slug"))


def listed_freelancers():
    return set(FreelancerSkillRank.objects.values_list("profile_id", "skill__slug", "rating_x100", "rating_count"))


def rebuilt(read):
    """What `read` returns after recomputing both lists from scratch."""
    before = read()
    candidates.rebuild()
    return before, read()


def skills(*slugs):
    return list(Skill.objects.filter(slug__in=slugs))


def edit_job(job, **changes):
    fields = {
        "title": job.title,
        "description": job.description,
        "skills": list(job.skills.all()),
        "budget_type": job.budget_type,
        "currency": job.currency,
        "budget_min": job.budget_min,
        "budget_max": job.budget_max,
        "duration": job.duration,
        "experience_level": job.experience_level,
        "visibility": job.visibility,
    }
    return services.job_save(client=job.client, job=job, **{**fields, **changes})


def test_a_job_is_listed_under_its_skills_only_while_open_and_public():
    job = make_job(skills=("web-development", "seo"))
    draft = make_job(publish=False)
    make_job(visibility="invite_only")
    assert listed_jobs() == {(job.pk, "web-development"), (job.pk, "seo")}
    assert OpenJobSkill.objects.filter(job=job).first().published_at == job.published_at

    edit_job(job, skills=skills("seo", "copywriting"))
    assert listed_jobs() == {(job.pk, "seo"), (job.pk, "copywriting")}
    services.job_transition(job=job, client=job.client, to_state=JobState.CLOSED)
    assert listed_jobs() == set()
    services.job_transition(job=job, client=job.client, to_state=JobState.OPEN)
    assert listed_jobs() == {(job.pk, "seo"), (job.pk, "copywriting")}
    edit_job(job, visibility="invite_only")
    assert listed_jobs() == set()
    edit_job(draft, skills=skills("seo"), publish=True)
    assert listed_jobs() == {(draft.pk, "seo")}


def test_a_freelancer_is_listed_with_their_rating_unless_unavailable():
    user = make_freelancer(skills=["web-development", "seo"])
    profile = user.freelancer_profile
    assert listed_freelancers() == {(profile.pk, "web-development", 0, 0), (profile.pk, "seo", 0, 0)}

    freelancer_profile_update(profile=profile, display_name="Sana", skills=skills("seo"), availability="unavailable")
    assert listed_freelancers() == set()
    freelancer_profile_update(profile=profile, display_name="Sana", skills=skills("seo"), availability="part_time")
    assert listed_freelancers() == {(profile.pk, "seo", 0, 0)}


def test_a_revealed_review_updates_the_rating_in_the_list():
    freelancer = make_freelancer(skills=["seo"])
    job = make_job(skills=("seo",))
    offer = services.proposal_hire(proposal=make_proposal(job, freelancer), client=job.client)
    services.offer_respond(offer=offer, freelancer=freelancer, accept=True)
    offer = services.offer_end(offer=offer, user=job.client)
    services.review_submit(offer=offer, author=offer.client, rating=4)
    services.review_submit(offer=offer, author=freelancer, rating=5)
    assert listed_freelancers() == {(freelancer.freelancer_profile.pk, "seo", 400, 1)}


def test_rebuilding_gives_the_lists_the_services_kept():
    kept = make_job(skills=("web-development", "seo"))
    make_job(skills=("seo",), visibility="invite_only")
    make_job(skills=("seo",), publish=False)
    closed = make_job(skills=("copywriting",))
    services.job_transition(job=closed, client=closed.client, to_state=JobState.CLOSED)
    edit_job(kept, skills=skills("seo"))
    make_freelancer(skills=["seo", "copywriting"])
    away = make_freelancer(skills=["seo"]).freelancer_profile
    freelancer_profile_update(profile=away, display_name="Away", skills=skills("seo"), availability="unavailable")

    jobs_before, jobs_after = rebuilt(listed_jobs)
    people_before, people_after = rebuilt(listed_freelancers)
    assert jobs_before == jobs_after == {(kept.pk, "seo")}
    assert people_before == people_after and len(people_after) == 2


def test_freelancers_for_a_job_come_from_the_best_rated_with_each_skill(monkeypatch):
    monkeypatch.setattr(selectors, "CANDIDATES", 2)
    rated = {}
    for stars in (3, 5, 4, 2):
        user = make_freelancer(skills=["seo"], rate="500")
        rated[stars] = user.freelancer_profile.pk
    # Ratings as review statistics would leave them, written straight to both tables.
    for stars, pk in rated.items():
        FreelancerSkillRank.objects.filter(profile_id=pk).update(rating_x100=stars * 100, rating_count=1)
        FreelancerProfile.objects.filter(pk=pk).update(rating_x100=stars * 100, rating_count=1)
    both = make_freelancer(skills=["seo", "copywriting"], rate="500").freelancer_profile.pk
    job = make_job(skills=("seo", "copywriting"))

    found = [rec.item.pk for rec in selectors.freelancers_for_job(job)]
    # Candidates: the two best rated with SEO, and the only one with copywriting (unrated, so last despite
    # sharing both skills); the 3★ and 2★ SEO freelancers were never scored.
    assert found == [rated[5], rated[4], both]


def test_recommendations_check_candidates_against_the_rows_themselves():
    freelancer = make_freelancer(skills=["seo"], rate="30")
    job = make_job(skills=("seo",))
    proposed = make_job(skills=("seo",))
    make_proposal(proposed, freelancer)
    closed = make_job(skills=("seo",))
    # A stale list row (as if a refresh were missed) must not bring a closed job back.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE marketplace_job SET state = 'closed' WHERE id = %s", [closed.pk])
    assert [rec.item.pk for rec in selectors.jobs_for_freelancer(freelancer.freelancer_profile)] == [job.pk]

    someone = make_freelancer(skills=["seo"])
    someone.is_active = False
    someone.save(update_fields=["is_active"])
    assert [rec.item.user for rec in selectors.freelancers_for_job(job)] == [freelancer]


def test_jobs_for_a_freelancer_are_the_newest_with_each_skill_and_fitting_hourly_jobs(monkeypatch):
    monkeypatch.setattr(selectors, "CANDIDATES", 2)
    seo = [make_job(title=f"SEO {n}", skills=("seo",)) for n in range(3)]
    hourly = make_job(
        title="Hourly retainer", skills=("accounting",), budget_type="hourly", budget_min="20", budget_max="40"
    )
    make_job(title="Hourly, too cheap", skills=("accounting",), budget_type="hourly", budget_min="5", budget_max="10")
    profile = make_freelancer(skills=["seo"], rate="30").freelancer_profile

    found = [rec.item.pk for rec in selectors.jobs_for_freelancer(profile)]
    # Same score (one shared skill) for the SEO jobs: newest first; the oldest one was never a candidate.
    assert found == [seo[2].pk, seo[1].pk, hourly.pk]
    assert profile.hourly_rate == Decimal("30.00")
