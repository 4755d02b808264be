"""Demo marketplace for `seed_demo`: open jobs, proposals in every state, offers and reviews. Idempotent:
a job that already exists (same client and title) is left as it is."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Skill, User
from contracts.services import contract_end
from marketplace import services
from marketplace.models import ContractOffer, Job, JobState

JOBS = [
    # client, title, skills, type, currency, min, max, visibility, final state
    (
        "emily@demo-client.example",
        "Django REST API for a fitness app",
        ["web-development", "software-development"],
        "fixed",
        "USD",
        "1500",
        "3000",
        "public",
        "open",
        "Build a REST API (Django + PostgreSQL) for our iOS fitness app: accounts, workouts, subscriptions.",
    ),
    (
        "emily@demo-client.example",
        "SEO audit for our SaaS blog",
        ["seo", "content-writing"],
        "hourly",
        "USD",
        "15",
        "30",
        "public",
        "open",
        "Audit 120 blog posts, fix technical SEO issues and propose a content plan for the next quarter.",
    ),
    (
        "oliver@demo-client.example",
        "Monthly bookkeeping in Xero",
        ["bookkeeping", "accounting"],
        "hourly",
        "GBP",
        "12",
        "20",
        "public",
        "filled",
        "Reconcile two bank accounts monthly, prepare VAT workings and a short management report.",
    ),
    (
        "oliver@demo-client.example",
        "YouTube video editing, ongoing",
        ["video-and-animation"],
        "hourly",
        "USD",
        "15",
        "25",
        "public",
        "open",
        "Edit two 10-minute videos a week: cuts, captions, thumbnails. Footage is shot in London.",
    ),
    (
        "omar@demo-client.example",
        "Arabic–English translation of a product catalogue",
        ["translation"],
        "fixed",
        "AED",
        "1500",
        "3000",
        "public",
        "open",
        "Translate a 60-page catalogue of building materials from Arabic to English, keeping the layout.",
    ),
    (
        "omar@demo-client.example",
        "Customer support agent (Arabic and English)",
        ["customer-service"],
        "hourly",
        "USD",
        "6",
        "10",
        "public",
        "closed",
        "Answer chat and e-mail in Arabic and English, 20 hours a week, Gulf business hours.",
    ),
    (
        "lena@demo-client.example",
        "Brand identity for a Berlin design studio",
        ["graphic-design", "illustration"],
        "fixed",
        "EUR",
        "800",
        "1500",
        "invite_only",
        "open",
        "Logo, colour palette, type and a one-page brand guide for a small architecture studio.",
    ),
    (
        "lena@demo-client.example",
        "Shopify store set-up",
        ["e-commerce-shopify-amazon"],
        "fixed",
        "EUR",
        "400",
        "900",
        "public",
        "draft",
        "Set up a Shopify store for handmade ceramics: theme, 30 products, shipping to the EU.",
    ),
]

# freelancer, job title, bid, note, outcome
PROPOSALS = [
    ("ayesha@demo.kamai.pk", "Django REST API for a fitness app", "2400", "accepted"),
    ("hamza@demo.kamai.pk", "Django REST API for a fitness app", "2800", "shortlisted"),
    ("ali@demo.kamai.pk", "Django REST API for a fitness app", "1600", "declined"),
    ("usman@demo.kamai.pk", "SEO audit for our SaaS blog", "18", "submitted"),
    ("farah@demo.kamai.pk", "Monthly bookkeeping in Xero", "15", "ended_reviewed"),
    ("zainab@demo.kamai.pk", "Arabic–English translation of a product catalogue", "2200", "offered"),
    ("hina@demo.kamai.pk", "Brand identity for a Berlin design studio", "1200", "submitted"),
    ("saad@demo.kamai.pk", "YouTube video editing, ongoing", "20", "ended_one_review"),
]


def _letter(title: str) -> str:
    return (
        f"Assalam-o-alaikum! I read your post about “{title}” carefully. I have done this kind of work for clients "
        "in the US, UK and Gulf, and I can start this week. I will share progress every two days."
    )


def seed() -> int:
    created = 0
    users = {user.email: user for user in User.objects.all()}
    for email, title, skills, kind, currency, low, high, visibility, state, description in JOBS:
        client = users[email]
        if Job.objects.filter(client=client, title=title).exists():
            continue
        job = services.job_save(
            client=client,
            title=title,
            description=description,
            skills=list(Skill.objects.filter(slug__in=skills)),
            budget_type=kind,
            currency=currency,
            budget_min=Decimal(low),
            budget_max=Decimal(high),
            duration="months" if kind == "hourly" else "weeks",
            experience_level="intermediate",
            visibility=visibility,
            publish=state != "draft",
        )
        created += 1
        if visibility == "invite_only":
            services.invitation_send(
                job=job,
                client=client,
                freelancer=users["hina@demo.kamai.pk"],
                message="We loved your portfolio — would you pitch for this?",
            )
        for freelancer_email, job_title, bid, outcome in PROPOSALS:
            if job_title != title:
                continue
            _proposal(job, users[freelancer_email], Decimal(bid), outcome)
        if state in (JobState.CLOSED, JobState.FILLED):
            services.job_transition(job=job, client=client, to_state=state)
    return created


def _proposal(job, freelancer, bid, outcome) -> None:
    proposal = services.proposal_submit(
        job=job,
        freelancer=freelancer,
        cover_letter=_letter(job.title),
        bid=bid,
        currency=job.currency,
        duration="weeks",
    )
    client = job.client
    if outcome == "submitted":
        return
    services.proposal_mark_viewed(proposal=proposal, viewer=client)
    if outcome == "shortlisted":
        services.proposal_shortlist(proposal=proposal, client=client)
        return
    if outcome == "declined":
        services.proposal_decline(proposal=proposal, client=client, reason="We chose someone with more API work.")
        return
    offer = services.proposal_hire(proposal=proposal, client=client)
    if outcome == "offered":
        return
    services.offer_respond(offer=offer, freelancer=freelancer, accept=True)
    if outcome == "accepted":
        return
    # Ending the contract (built from the accepted offer) opens the review window.

    contract_end(contract=offer.contract, user=client)
    offer.refresh_from_db()
    services.review_submit(
        offer=offer,
        author=client,
        rating=5,
        text="Careful, quick and always on time. Our books have never been this tidy.",
    )
    if outcome == "ended_reviewed":
        services.review_submit(offer=offer, author=freelancer, rating=5, text="Clear instructions, paid promptly.")
    else:
        # Ended three weeks ago: the window has closed, so the scheduled job reveals the lone review.
        ContractOffer.objects.filter(pk=offer.pk).update(ended_at=timezone.now() - timedelta(days=21))
        services.reviews_reveal_due()
