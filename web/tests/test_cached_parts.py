"""Public pages kept in the cache for anonymous visitors (common.fragments): served from the cache while
nothing they show changed, rendered afresh as soon as a service changes it, never for signed-in people, and
one copy per language and query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Skill
from accounts.services import freelancer_profile_update
from marketplace.models import JobState
from marketplace.services import job_transition
from marketplace.tests.factories import make_client, make_freelancer, make_job

pytestmark = pytest.mark.django_db


def _queries(client, path) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_job_search_is_served_from_the_cache_until_a_job_changes(client):
    owner = make_client()
    make_job(owner, title="Django shop for a bakery")
    first_count, first = _queries(client, "/jobs/?q=django")
    again_count, again = _queries(client, "/jobs/?q=django")
    assert "Django shop for a bakery" in first and "Django shop for a bakery" in again
    assert again_count < first_count  # the search itself did not run again
    make_job(owner, title="Django API for a school")
    _count, fresh = _queries(client, "/jobs/?q=django")
    assert "Django API for a school" in fresh
    closed = make_job(owner, title="Django admin for a clinic")
    assert "Django admin for a clinic" in client.get("/jobs/?q=django").content.decode()
    job_transition(job=closed, client=owner, to_state=JobState.CLOSED)
    assert "Django admin for a clinic" not in client.get("/jobs/?q=django").content.decode()


def test_each_query_and_language_has_its_own_copy(client):
    make_job(title="Django shop", description="Online shop.")
    make_job(title="Logo design", description="A bakery logo.", skills=("graphic-design",))
    assert "Django shop" in client.get("/jobs/?q=django").content.decode()
    logo = client.get("/jobs/?q=logo").content.decode()
    assert "Logo design" in logo and "Django shop" not in logo
    english = client.get("/jobs/?q=django").content.decode()
    client.cookies["django_language"] = "ur"
    urdu = client.get("/jobs/?q=django").content.decode()
    assert 'lang="ur"' in urdu and urdu != english
    assert "Find work" in english and "Find work" not in urdu.split("<main", 1)[-1]


def test_a_profile_edit_shows_at_once_in_freelancer_search_and_on_the_home_page(client):
    user = make_freelancer(headline="Django developer", name="Ayesha Khan")
    assert "Ayesha Khan" in client.get("/freelancers/?q=django").content.decode()
    client.get("/")
    freelancer_profile_update(
        profile=user.freelancer_profile,
        display_name="Ayesha Siddiqui",
        headline="Django developer",
        skills=list(Skill.objects.filter(slug="web-development")),
    )
    assert "Ayesha Siddiqui" in client.get("/freelancers/?q=django").content.decode()
    assert "Ayesha Siddiqui" in client.get("/").content.decode()


def test_signed_in_people_always_get_a_fresh_page(client):
    owner = make_client()
    make_job(owner, title="Django shop for a bakery")
    client.force_login(owner)
    first_count, _ = _queries(client, "/jobs/?q=django")
    again_count, _ = _queries(client, "/jobs/?q=django")
    assert again_count == first_count
