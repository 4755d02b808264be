"""Demo contracts in every state for `seed_demo`: proposed by invitation, waiting for a bank transfer, funded,
delivered and in review, released, late with a penalty, disputed, and hourly with a billed week and a week in
the client's review. Idempotent: contracts are found by title."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from contracts import services
from contracts.models import Contract, HourlyWeek
from contracts.services import MilestoneTerms


def _key() -> str:
    return uuid.uuid4().hex


def seed() -> str:
    users = {user.email: user for user in User.objects.all()}
    today = timezone.localdate()
    if Contract.objects.filter(title="Company website in Next.js").exists():
        return ""
    staff = users["mediator@demo.kamai.pk"]
    bilal, hina, ali, maryam, hamza = (users[f"{n}@demo.kamai.pk"] for n in ("bilal", "hina", "ali", "maryam", "hamza"))
    emily, oliver, omar, lena = (
        users[e]
        for e in (
            "emily@demo-client.example",
            "oliver@demo-client.example",
            "omar@demo-client.example",
            "lena@demo-client.example",
        )
    )

    def fixed(freelancer, client, title, parts, currency="USD", due_days=10):
        return services.contract_create(
            freelancer=freelancer,
            client=client,
            title=title,
            kind="fixed",
            currency=currency,
            milestones=[
                MilestoneTerms(t, Decimal(a), today + timedelta(days=due_days + 7 * n))
                for n, (t, a) in enumerate(parts)
            ],
            penalty_pct_per_week=Decimal(1),
            penalty_cap_pct=Decimal(10),
            accepted_by_client=True,
            cancellation_terms="Either side may cancel before a milestone is delivered; funded work is refunded.",
        )

    def fund(milestone, client, provider="sandbox"):
        return services.milestone_fund(milestone=milestone, client=client, provider=provider, idempotency_key=_key())

    # Released and in review: a website for Emily by Bilal.
    site = fixed(bilal, emily, "Company website in Next.js", [("Design", "600"), ("Build", "900"), ("Launch", "300")])
    design, build, launch = site.milestones.all()
    fund(design, emily)
    services.milestone_submit(
        milestone=design, freelancer=bilal, message="Figma designs for 6 pages, approved in our call."
    )
    services.milestone_approve(milestone=design, client=emily, idempotency_key=_key())
    fund(build, emily)
    services.milestone_submit(milestone=build, freelancer=bilal, message="Site is live on the staging server.")

    # A bank transfer on its way, and a late milestone accruing its penalty.
    brand = fixed(
        hina, lena, "Brand refresh", [("Logo concepts", "450"), ("Brand guide", "350")], currency="EUR", due_days=-9
    )
    fund(brand.milestones.first(), lena, provider="bank_transfer")

    # A dispute waiting for the mediator.
    shop = fixed(ali, omar, "Shopify store for building materials", [("Store set-up", "700")])
    store = shop.milestones.get()
    fund(store, omar)
    services.milestone_submit(milestone=store, freelancer=ali, message="Store set up with 40 products.")
    dispute = services.dispute_open(
        contract=shop,
        user=omar,
        milestone=store,
        reason="Only 25 of the 40 products are listed, and shipping to Oman is missing.",
    )
    services.evidence_add(dispute=dispute, user=ali, text="The remaining 15 products had no photos from the client.")

    # Funded, work under way.
    dash = fixed(
        hamza, oliver, "Sales dashboard in Python", [("Data pipeline", "800"), ("Dashboard", "700")], currency="GBP"
    )
    fund(dash.milestones.first(), oliver)

    # Hourly: Maryam supports Oliver's customers; the week before last billed, last week in Oliver's review
    # (its timesheet waits for approval), this week in progress.
    support = services.contract_create(
        freelancer=maryam,
        client=oliver,
        title="Customer support (hourly)",
        kind="hourly",
        currency="USD",
        hourly_rate=Decimal(8),
        weekly_hour_cap=20,
        accepted_by_client=True,
    )
    services.retainer_fund(
        contract=support, client=oliver, amount=Decimal(300), provider="sandbox", idempotency_key=_key()
    )
    monday = services.week_start_of(today)
    two_weeks_ago = monday - timedelta(days=14)
    week = HourlyWeek.objects.create(contract=support, week_start=two_weeks_ago)
    for n in range(5):
        week.entries.create(date=two_weeks_ago + timedelta(days=n), minutes=180, memo="Chat and e-mail support")
    services.hourly_bill_due(today=today)
    # Past days are written directly: a week closes for logging once its Sunday has passed.
    last_week = HourlyWeek.objects.create(contract=support, week_start=monday - timedelta(days=7))
    for n, (minutes, memo) in enumerate(
        [(240, "Chat support, 41 tickets"), (150, "Refund e-mails"), (0, ""), (300, "Launch-day chat"), (90, "FAQ")]
    ):
        if minutes:
            last_week.entries.create(date=last_week.week_start + timedelta(days=n), minutes=minutes, memo=memo)
    services.time_entry_add(contract=support, freelancer=maryam, day=monday, hours=Decimal(3), memo="Morning shift")

    # Proposed to a client who has no account yet.
    services.contract_create(
        freelancer=bilal,
        client_email="newclient@demo-client.example",
        title="Mobile app MVP",
        kind="fixed",
        currency="USD",
        milestones=[MilestoneTerms("Prototype", Decimal(1200), today + timedelta(days=14))],
    )
    del staff
    return f"Contracts: {Contract.objects.count()} in every state (one dispute waits for mediator@demo.kamai.pk)."
