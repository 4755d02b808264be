"""Through the HTTP client: a client posts, finds and invites, receives proposals and hires; a freelancer
finds work and proposes. Every object a stranger must not see is a 404."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace import services
from marketplace.models import ContractOffer, Invitation, Job, JobState, Proposal, ProposalState
from marketplace.tests.factories import make_client, make_freelancer, make_job, make_proposal

pytestmark = pytest.mark.django_db


def job_form(**overrides):
    from accounts.models import Skill

    data = {
        "title": "Shopify store for a tea brand",
        "description": "Set up a Shopify store with 40 products.",
        "skills": [Skill.objects.get(slug="e-commerce-shopify-amazon").pk],
        "budget_type": "fixed",
        "currency": "USD",
        "budget_min": "300",
        "budget_max": "600",
        "duration": "weeks",
        "experience_level": "intermediate",
        "visibility": "public",
        "publish": "1",
    }
    data.update(overrides)
    return data


def test_client_posts_job_and_freelancer_finds_and_proposes(client):
    boss = make_client()
    client.force_login(boss)
    response = client.post(reverse("marketplace:job_create"), job_form())
    job = Job.objects.get()
    assert response["Location"] == reverse("marketplace:job_detail", args=[job.pk])
    assert job.state == JobState.OPEN

    worker = make_freelancer(skills=["e-commerce-shopify-amazon"])
    client.force_login(worker)
    results = client.get(reverse("marketplace:job_search"), {"q": "shopify tea"}).content.decode()
    assert "Shopify store for a tea brand" in results
    assert "Shopify store for a tea brand" in client.get(reverse("web:dashboard")).content.decode()  # jobs for you

    due = (date.today() + timedelta(days=7)).isoformat()
    response = client.post(
        reverse("marketplace:proposal_create", args=[job.pk]),
        {
            "cover_letter": "I run three Shopify stores.",
            "bid": "450",
            "duration": "weeks",
            "m1_title": "Store set-up",
            "m1_amount": "200",
            "m1_due": due,
            "m2_title": "Products",
            "m2_amount": "250",
            "m2_due": due,
        },
    )
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("marketplace:proposal_detail", args=[proposal.pk])
    assert proposal.milestones.count() == 2

    client.force_login(boss)
    page = client.get(reverse("marketplace:job_proposals", args=[job.pk])).content.decode()
    assert "$450.00" in page
    client.get(reverse("marketplace:proposal_detail", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.viewed_at is not None
    hire = reverse("marketplace:proposal_action", args=[proposal.pk, "hire"])
    review = client.post(hire).content.decode()
    assert not ContractOffer.objects.exists()  # reviewed, not yet sent
    assert "$450.00" in review and "Kamai" in review and "The freelancer receives" in review
    response = client.post(hire, {"confirm": "1"})
    offer = ContractOffer.objects.get()
    assert response["Location"] == reverse("marketplace:offer_detail", args=[offer.pk])

    client.force_login(worker)
    client.post(reverse("marketplace:offer_action", args=[offer.pk, "accept"]))
    offer.refresh_from_db()
    assert offer.state == "accepted"


def test_proposal_form_errors_are_clear_and_nothing_is_saved(client):
    job = make_job()
    client.force_login(make_freelancer())
    due = (date.today() + timedelta(days=7)).isoformat()
    response = client.post(
        reverse("marketplace:proposal_create", args=[job.pk]),
        {"cover_letter": "", "bid": "450.001", "duration": "weeks", "m1_title": "A", "m1_amount": "100", "m1_due": due},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write a cover letter" in html
    assert "has more decimals than USD allows" in html
    response = client.post(
        reverse("marketplace:proposal_create", args=[job.pk]),
        {
            "cover_letter": "Hello",
            "bid": "450",
            "duration": "weeks",
            "m1_title": "A",
            "m1_amount": "100",
            "m1_due": due,
        },
    )
    assert "add up to" in response.content.decode()
    assert not Proposal.objects.exists()


def test_job_form_rejects_inverted_budget(client):
    client.force_login(make_client())
    response = client.post(reverse("marketplace:job_create"), job_form(budget_min="900", budget_max="100"))
    assert response.status_code == 200
    assert "below its bottom" in response.content.decode()
    assert not Job.objects.exists()


def test_strangers_get_404_everywhere(client):
    job = make_job()
    draft = make_job(job.client, title="Secret draft", publish=False)
    private = make_job(job.client, title="Invite only", visibility="invite_only")
    proposal = make_proposal(job)
    offer = services.proposal_hire(proposal=proposal, client=job.client)
    stranger = make_freelancer()
    client.force_login(stranger)
    for url in [
        reverse("marketplace:job_edit", args=[job.pk]),
        reverse("marketplace:job_proposals", args=[job.pk]),
        reverse("marketplace:job_detail", args=[draft.pk]),
        reverse("marketplace:job_detail", args=[private.pk]),
        reverse("marketplace:proposal_detail", args=[proposal.pk]),
        reverse("marketplace:proposal_edit", args=[proposal.pk]),
        reverse("marketplace:offer_detail", args=[offer.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("marketplace:job_state", args=[job.pk]),
        reverse("marketplace:proposal_action", args=[proposal.pk, "hire"]),
        reverse("marketplace:proposal_action", args=[proposal.pk, "withdraw"]),
        reverse("marketplace:offer_action", args=[offer.pk, "accept"]),
    ]:
        assert client.post(url, {"to": "closed"}).status_code == 404, url
    job.refresh_from_db()
    assert job.state == JobState.OPEN
    # The freelancer who wrote the proposal cannot hire themself, and the client cannot withdraw it.
    client.force_login(proposal.freelancer)
    client.post(reverse("marketplace:proposal_action", args=[proposal.pk, "decline"]))
    client.force_login(job.client)
    client.post(reverse("marketplace:proposal_action", args=[proposal.pk, "withdraw"]))
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.HIRED


def test_anonymous_can_browse_but_must_log_in_to_act(client):
    job = make_job()
    assert client.get(reverse("marketplace:job_search")).status_code == 200
    assert client.get(reverse("marketplace:job_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("marketplace:freelancer_search")).status_code == 200
    response = client.get(reverse("marketplace:proposal_create", args=[job.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_client_invites_a_freelancer_found_in_search(client):
    job = make_job()
    freelancer = make_freelancer(name="Hina Raza", headline="Logo and brand identity", skills=["graphic-design"])
    client.force_login(job.client)
    assert "Hina Raza" in client.get(reverse("marketplace:freelancer_search"), {"q": "logo"}).content.decode()
    slug = freelancer.freelancer_profile.slug
    response = client.post(reverse("marketplace:invite", args=[slug]), {"job": job.pk, "message": "Interested?"})
    assert response.status_code == 302
    assert Invitation.objects.filter(job=job, freelancer=freelancer).exists()
    # A job that is not yours cannot be chosen.
    other = make_job()
    response = client.post(reverse("marketplace:invite", args=[slug]), {"job": other.pk})
    assert response.status_code == 200
    assert not Invitation.objects.filter(job=other).exists()


def test_search_form_errors(client):
    response = client.get(reverse("marketplace:job_search"), {"budget_min": "100"})
    assert "Choose a currency for the range" in response.content.decode()


def test_list_pages_have_bounded_queries(client, django_assert_max_num_queries):
    boss = make_client()
    for n in range(8):
        job = make_job(boss, title=f"Job {n}", skills=["web-development", "seo"])
        make_proposal(job)
    for _ in range(8):
        make_freelancer(skills=["web-development", "seo"])
    client.force_login(boss)
    with django_assert_max_num_queries(12):
        client.get(reverse("marketplace:job_search"))
    with django_assert_max_num_queries(12):
        client.get(reverse("marketplace:freelancer_search"))
    with django_assert_max_num_queries(12):
        client.get(reverse("marketplace:my_jobs"))
    job = Job.objects.first()
    with django_assert_max_num_queries(12):
        client.get(reverse("marketplace:job_proposals", args=[job.pk]))
    with django_assert_max_num_queries(20):
        client.get(reverse("marketplace:job_detail", args=[job.pk]))


def test_offer_page_states_the_contract_terms_before_acceptance(client):
    job = make_job()
    proposal = make_proposal(job)
    offer = services.proposal_hire(proposal=proposal, client=job.client)
    client.force_login(proposal.freelancer)
    html = client.get(reverse("marketplace:offer_detail", args=[offer.pk])).content.decode()
    assert "s fee (5%, paid by the freelancer)" in html and "14 days to review" in html
    assert "$800.00" in html and "$40.00" in html and "$760.00" in html  # total, fee, what the freelancer receives
    assert "you receive it with the milestone" in html and "paid to you" not in html
    client.force_login(job.client)
    html = client.get(reverse("marketplace:offer_detail", args=[offer.pk])).content.decode()
    assert "you pay a late penalty" in html and "you receive it" not in html


@pytest.mark.parametrize("path", ["/jobs/", "/freelancers/"])
@pytest.mark.parametrize("skill", ["99999999999999999999999999", "9223372036854775808", "-1", "٣", "1e3", "0"])
def test_search_refuses_ids_no_skill_can_have(client, path, skill):
    # SQLite raised OverflowError (a 500) for an id past 64 bits; every such value is now a form error.
    client.raise_request_exception = False
    response = client.get(path, {"skills": skill})
    assert response.status_code == 200
    assert response.context["form"].errors["skills"]


def test_an_id_is_ascii_digits_within_64_bits():
    from common.ids import MAX_ID, parse_id

    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None
    assert parse_id("٣") is None
    assert parse_id(" 42 ") == 42


def test_the_freelancers_dates_are_delivery_dates_and_fund_by_dates_follow():
    from contracts.models import Milestone

    job = make_job()
    today = timezone.localdate()
    plan = [
        services.MilestonePlan("Design", Decimal("200"), today + timedelta(days=10)),
        services.MilestonePlan("Build", Decimal("300"), today + timedelta(days=30)),
    ]
    proposal = make_proposal(job, bid="500", milestones=plan)
    offer = services.proposal_hire(proposal=proposal, client=job.client)
    services.offer_respond(offer=offer, freelancer=proposal.freelancer, accept=True)
    first, second = Milestone.objects.order_by("position")
    assert (first.deliver_by, second.deliver_by) == (plan[0].due_date, plan[1].due_date)
    assert first.due_date == today + timedelta(days=7)  # fund the first within a week
    assert second.due_date == plan[0].due_date  # the next by the day the one before is delivered
