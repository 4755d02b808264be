"""The per-skill candidate lists behind recommendations (DECISIONS 35): open public jobs by skill, newest first
(`OpenJobSkill`), and available freelancers by skill, best rated first (`FreelancerSkillRank`). Each list is
derived from its job or profile and rewritten whole after every write that changes what it holds, in the
writer's transaction; `rebuild` recomputes both from scratch (bulk loads, benchmarks)."""

from django.db import connection, transaction

from accounts.models import Availability, FreelancerProfile
from marketplace.models import FreelancerSkillRank, Job, JobState, OpenJobSkill, Visibility


def job_listing_refresh(job: Job) -> None:
    """List the job under each of its skills while it is open and public; unlist it otherwise."""
    OpenJobSkill.objects.filter(job=job).delete()
    if job.state == JobState.OPEN and job.visibility == Visibility.PUBLIC and job.published_at is not None:
        OpenJobSkill.objects.bulk_create(
            OpenJobSkill(job=job, skill_id=skill_id, published_at=job.published_at)
            for skill_id in job.skills.values_list("id", flat=True)
        )


def freelancer_listing_refresh(profile: FreelancerProfile) -> None:
    """List the freelancer under each of their skills, with their current rating, unless they are unavailable."""
    FreelancerSkillRank.objects.filter(profile=profile).delete()
    if profile.availability != Availability.UNAVAILABLE:
        FreelancerSkillRank.objects.bulk_create(
            FreelancerSkillRank(
                profile=profile, skill_id=skill_id, rating_x100=profile.rating_x100, rating_count=profile.rating_count
            )
            for skill_id in profile.skills.values_list("id", flat=True)
        )


# The same selections as the two refreshes, for every job and profile at once.
REBUILD_SQL = [
    "DELETE FROM marketplace_openjobskill",
    """INSERT INTO marketplace_openjobskill (job_id, skill_id, published_at)
       SELECT js.job_id, js.skill_id, j.published_at FROM marketplace_job_skills js
       JOIN marketplace_job j ON j.id = js.job_id
       WHERE j.state = 'open' AND j.visibility = 'public' AND j.published_at IS NOT NULL""",
    "DELETE FROM marketplace_freelancerskillrank",
    """INSERT INTO marketplace_freelancerskillrank (profile_id, skill_id, rating_x100, rating_count)
       SELECT ps.freelancerprofile_id, ps.skill_id, p.rating_x100, p.rating_count
       FROM accounts_freelancerprofile_skills ps
       JOIN accounts_freelancerprofile p ON p.id = ps.freelancerprofile_id
       WHERE p.availability <> 'unavailable'""",
]


@transaction.atomic
def rebuild() -> None:
    """Recompute both lists from the jobs and profiles."""
    with connection.cursor() as cursor:
        for statement in REBUILD_SQL:
            cursor.execute(statement)
