"""The same search contract on SQLite FTS5 and PostgreSQL full-text search (CI runs this file on PostgreSQL)."""

from decimal import Decimal

import pytest

from accounts.models import FreelancerProfile
from marketplace import selectors
from marketplace.models import JobState
from marketplace.services import job_transition
from marketplace.tests.factories import make_client, make_freelancer, make_job

pytestmark = pytest.mark.django_db


def titles(page):
    return [job.title for job in page]


def test_text_search_ranks_title_matches_first_and_stems_words():
    make_job(title="Logo for a bakery", description="Simple branding work, no coding.", skills=["graphic-design"])
    body = make_job(title="Website refresh", description="Our bakery needs developers to redesign the site.")
    title = make_job(title="Django developer for bakery website", description="Long term work.")
    page = selectors.search_jobs(selectors.JobFilters(text="developer"))
    # "developer" also matches "developers" (stemming); the title match ranks above the body match.
    assert titles(page) == [title.title, body.title]


def test_all_words_must_match_and_punctuation_is_harmless():
    make_job(title="React Native app", description="iOS and Android")
    make_job(title="React dashboard", description="Admin panel")
    assert titles(selectors.search_jobs(selectors.JobFilters(text="react android"))) == ["React Native app"]
    assert titles(selectors.search_jobs(selectors.JobFilters(text='react" OR (android*'))) == ["React Native app"]
    assert selectors.search_jobs(selectors.JobFilters(text="blockchain")).paginator.count == 0


def test_filters_skills_budget_type_range_country_and_state():
    us = make_client()
    us.client_profile.country = "US"
    us.client_profile.save()
    uk = make_client()
    uk.client_profile.country = "GB"
    uk.client_profile.save()
    cheap = make_job(us, title="Cheap fixed", budget_min="50", budget_max="100")
    make_job(uk, title="Big fixed", budget_min="2000", budget_max="5000")
    make_job(us, title="Hourly SEO", budget_type="hourly", budget_min="10", budget_max="20", skills=["seo"])
    make_job(us, title="Draft job", publish=False)
    make_job(us, title="Private", visibility="invite_only")
    closed = make_job(us, title="Closed job")
    job_transition(job=closed, client=closed.client, to_state=JobState.CLOSED)

    everything = titles(selectors.search_jobs(selectors.JobFilters()))
    assert set(everything) == {"Cheap fixed", "Big fixed", "Hourly SEO"}
    assert titles(selectors.search_jobs(selectors.JobFilters(budget_type="hourly"))) == ["Hourly SEO"]
    from accounts.models import Skill

    seo = list(Skill.objects.filter(slug="seo"))
    assert titles(selectors.search_jobs(selectors.JobFilters(skills=seo))) == ["Hourly SEO"]
    ranged = selectors.search_jobs(
        selectors.JobFilters(budget_type="fixed", currency="USD", budget_min=Decimal("1000"))
    )
    assert titles(ranged) == ["Big fixed"]
    assert set(titles(selectors.search_jobs(selectors.JobFilters(client_country="US")))) == {
        cheap.title,
        "Hourly SEO",
    }
    by_budget = titles(selectors.search_jobs(selectors.JobFilters(sort="budget_high")))
    assert by_budget[0] == "Big fixed"


def test_freelancer_search_text_filters_and_sorting():
    make_freelancer(name="Ayesha", headline="Flutter mobile apps", skills=["mobile-apps"], rate="35")
    make_freelancer(name="Bilal", headline="Django APIs", skills=["web-development"], rate="20")
    make_freelancer(name="Hina", headline="Logo design", skills=["graphic-design"], rate="15", currency="GBP")
    found = selectors.search_freelancers(selectors.FreelancerFilters(text="flutter"))
    assert [p.display_name for p in found] == ["Ayesha"]
    cheap_first = selectors.search_freelancers(selectors.FreelancerFilters(currency="USD", sort="rate_low"))
    assert [p.display_name for p in cheap_first] == ["Bilal", "Ayesha"]
    in_range = selectors.search_freelancers(
        selectors.FreelancerFilters(currency="USD", rate_min=Decimal("30"), rate_max=Decimal("40"))
    )
    assert [p.display_name for p in in_range] == ["Ayesha"]


def test_editing_a_job_updates_the_index():
    job = make_job(title="Old words here")
    from marketplace.services import job_save

    job_save(
        client=job.client,
        job=job,
        title="Shopify migration",
        description=job.description,
        skills=[],
        budget_type="fixed",
        currency="USD",
        budget_min=Decimal("100"),
        budget_max=Decimal("200"),
        duration="weeks",
        experience_level="expert",
    )
    assert titles(selectors.search_jobs(selectors.JobFilters(text="shopify"))) == ["Shopify migration"]
    assert selectors.search_jobs(selectors.JobFilters(text="old")).paginator.count == 0


def test_recommendations_rank_by_skill_overlap_and_explain_it():
    freelancer = make_freelancer(skills=["web-development", "software-development", "devops-and-cloud"], rate="30")
    profile = freelancer.freelancer_profile
    two = make_job(title="API and deployment", skills=["web-development", "devops-and-cloud"])
    one = make_job(title="Landing page", skills=["web-development"])
    make_job(title="Logo", skills=["graphic-design"], description="Branding only")
    hourly_fit = make_job(
        title="Support retainer", skills=["customer-service"], budget_type="hourly", budget_min="25", budget_max="40"
    )
    recs = selectors.jobs_for_freelancer(profile)
    ordered = [rec.item.pk for rec in recs]
    assert ordered.index(two.pk) < ordered.index(one.pk)
    assert "matches 2 of your skills" in recs[0].explanation
    assert hourly_fit.pk in ordered
    assert "your rate is within the budget" in next(r for r in recs if r.item.pk == hourly_fit.pk).explanation
    assert all(rec.item.title != "Logo" for rec in recs)

    job = make_job(title="Django shop", skills=["web-development", "software-development"])
    other = make_freelancer(skills=["web-development"])
    found = selectors.freelancers_for_job(job)
    assert [rec.item.user for rec in found][:2] == [freelancer, other]
    assert found[0].explanation.startswith("matches 2 of the job's skills")


def test_counts_and_relevance_stop_at_the_result_window(monkeypatch, client):
    monkeypatch.setattr(selectors, "RESULT_WINDOW", 2)
    for n in range(4):
        make_job(title=f"Django job {n}")
    page = selectors.search_jobs(selectors.JobFilters(text="django"))
    assert page.paginator.capped and page.paginator.count == 3
    assert len(page.object_list) == 3
    assert "More than 2 jobs: add words" in client.get("/jobs/", {"q": "django"}).content.decode()
    client.cookies["django_language"] = "ur"
    assert "2 سے زیادہ جابز" in client.get("/jobs/", {"q": "django"}).content.decode()


def test_relevance_ranks_the_newest_matches_then_lists_the_rest_newest_first(monkeypatch):
    monkeypatch.setattr(selectors, "RANKED", 2)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    make_job(title="Django shop", description="Web work.")
    make_job(title="Shop", description="Built with django.")
    make_job(title="Django API", description="Web work.")
    make_job(title="API", description="In django.")
    first = selectors.search_jobs(selectors.JobFilters(text="django"))
    # The two newest matches ranked (title above body), then the others newest first, across pages.
    assert titles(first) == ["Django API", "API", "Shop"]
    assert titles(selectors.search_jobs(selectors.JobFilters(text="django"), page=2)) == ["Django shop"]
    assert first.paginator.count == 4


def test_freelancer_relevance_ranks_the_best_rated_matches(monkeypatch):
    monkeypatch.setattr(selectors, "RANKED", 1)
    make_freelancer(name="Asad", headline="Bookkeeping", skills=["accounting"])
    top = make_freelancer(name="Bushra", headline="Accountant", skills=["accounting"]).freelancer_profile
    FreelancerProfile.objects.filter(pk=top.pk).update(rating_x100=480, rating_count=3)
    found = selectors.search_freelancers(selectors.FreelancerFilters(text="accounting"))
    assert [p.display_name for p in found] == ["Bushra", "Asad"]
