"""Reads behind the public insights page.

`platform_figures` is the heavy part (run nightly by insights.tasks, never on a page view once a snapshot exists).
Every figure it returns is an aggregate over at least K distinct people; a smaller group is dropped and only
counted in `suppressed`. Money stays in integer minor units with its currency; medians use
statistics.median_low so they are always a value someone actually quoted (an integer), never a float average.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from statistics import median_low

from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import ClientProfile, FreelancerProfile, Skill
from contracts.models import HourlyWeek, Milestone, MilestoneState, WeekState
from insights.models import InsightSnapshot
from invoicing.models import DocumentKind, Invoice, InvoiceState
from marketplace.models import Job, JobState

# The smallest group of distinct people any published figure may describe.
K = 5
TOP_SKILLS = 10
RATE_CURRENCY = "USD"
SECONDS_PER_DAY = 86_400


def latest_snapshot() -> InsightSnapshot | None:
    return InsightSnapshot.objects.order_by("-computed_at", "-id").first()


def _skill_names() -> dict[int, dict[str, str]]:
    return {
        pk: {"name": name, "name_ur": name_ur}
        for pk, name, name_ur in Skill.objects.values_list("pk", "name", "name_ur")
    }


def _active_freelancers():
    return FreelancerProfile.objects.filter(user__is_active=True)


def freelancers_by_city() -> dict:
    rows = (
        _active_freelancers()
        .exclude(city="")
        .values("city")
        .annotate(people=Count("user", distinct=True))
        .order_by("-people", "city")
    )
    shown = [{"city": row["city"], "freelancers": row["people"]} for row in rows if row["people"] >= K]
    return {"rows": shown, "suppressed": sum(1 for row in rows if row["people"] < K)}


def pseb_share(*, today: date) -> dict:
    """Freelancers whose PSEB registration has a number and has not expired (no expiry date counts as current)."""
    freelancers = _active_freelancers()
    current = Q(pseb_expires_on__isnull=True) | Q(pseb_expires_on__gte=today)
    counts = freelancers.aggregate(
        total=Count("pk"), registered=Count("pk", filter=~Q(pseb_registration_number="") & current)
    )
    total, registered = counts["total"], counts["registered"]
    # Both sides must be K or more, or "everyone but 2" would point at those 2.
    if registered < K or total - registered < K:
        return {"shown": False}
    return {
        "shown": True,
        "registered": registered,
        "total": total,
        "percent": (registered * 100 + total // 2) // total,
    }


def skills_demand_and_supply() -> dict:
    names = _skill_names()
    demand = (
        Job.objects.filter(state=JobState.OPEN, skills__isnull=False)
        .values("skills")
        .annotate(jobs=Count("pk", distinct=True), clients=Count("client", distinct=True))
    )
    demanded = sorted(
        ({**names[row["skills"]], "open_jobs": row["jobs"]} for row in demand if row["clients"] >= K),
        key=lambda row: (-row["open_jobs"], row["name"]),
    )
    supply = (
        FreelancerProfile.skills.through.objects.filter(freelancerprofile__user__is_active=True)
        .values("skill")
        .annotate(people=Count("freelancerprofile", distinct=True))
    )
    offered = sorted(
        ({**names[row["skill"]], "freelancers": row["people"]} for row in supply if row["people"] >= K),
        key=lambda row: (-row["freelancers"], row["name"]),
    )
    return {
        "demanded": demanded[:TOP_SKILLS],
        "demanded_suppressed": sum(1 for row in demand if row["clients"] < K),
        "offered": offered[:TOP_SKILLS],
        "offered_suppressed": sum(1 for row in supply if row["people"] < K),
    }


def median_rates_by_skill() -> dict:
    """Median hourly rate per skill over freelancers quoting in USD; other currencies are left out, not converted."""
    names = _skill_names()
    quotes = defaultdict(list)
    rows = FreelancerProfile.skills.through.objects.filter(
        freelancerprofile__user__is_active=True,
        freelancerprofile__rate_currency=RATE_CURRENCY,
        freelancerprofile__hourly_rate_minor__gt=0,
    ).values_list("skill", "freelancerprofile__hourly_rate_minor")
    for skill_id, rate_minor in rows.iterator():
        quotes[skill_id].append(rate_minor)
    shown = sorted(
        (
            {**names[skill_id], "median_minor": median_low(rates), "freelancers": len(rates)}
            for skill_id, rates in quotes.items()
            if len(rates) >= K
        ),
        key=lambda row: (-row["freelancers"], row["name"]),
    )
    overall = list(
        _active_freelancers()
        .filter(rate_currency=RATE_CURRENCY, hourly_rate_minor__gt=0)
        .values_list("hourly_rate_minor", flat=True)
    )
    return {
        "currency": RATE_CURRENCY,
        "rows": shown[:TOP_SKILLS],
        "suppressed": sum(1 for rates in quotes.values() if len(rates) < K),
        "overall_median_minor": median_low(overall) if len(overall) >= K else None,
        "overall_freelancers": len(overall) if len(overall) >= K else None,
    }


def clients_by_country() -> dict:
    rows = (
        ClientProfile.objects.filter(user__is_active=True)
        .exclude(country="")
        .values("country")
        .annotate(people=Count("user", distinct=True))
        .order_by("-people", "country")
    )
    shown = [{"country": row["country"], "clients": row["people"]} for row in rows if row["people"] >= K]
    return {"rows": shown, "suppressed": sum(1 for row in rows if row["people"] < K)}


def _months_back(today: date, count: int) -> list[date]:
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months[::-1]


def _client_key(client_id, client_email) -> str:
    return f"u{client_id}" if client_id else f"e{(client_email or '').lower()}"


def escrow_released_by_month(*, today: date) -> dict:
    """Escrow paid out to freelancers per calendar month (Pakistan time) and currency: released milestones plus
    billed hourly weeks, gross of the platform fee. A month's total is shown only when at least K freelancers and
    K clients are behind it, so no one contract's value can be read off."""
    months = _months_back(today, 12)
    start = timezone.make_aware(datetime.combine(months[0], datetime.min.time()))
    cells: dict[tuple[str, str], dict] = defaultdict(lambda: {"minor": 0, "freelancers": set(), "clients": set()})

    def add(moment: datetime, currency: str, minor: int, freelancer_id: int, client_key: str) -> None:
        cell = cells[(timezone.localtime(moment).strftime("%Y-%m"), currency)]
        cell["minor"] += minor
        cell["freelancers"].add(freelancer_id)
        cell["clients"].add(client_key)

    milestones = Milestone.objects.filter(state=MilestoneState.RELEASED, released_at__gte=start).values_list(
        "released_at",
        "contract__currency",
        "amount_minor",
        "contract__freelancer",
        "contract__client",
        "contract__client_email",
    )
    for released_at, currency, minor, freelancer_id, client_id, client_email in milestones.iterator():
        add(released_at, currency, minor, freelancer_id, _client_key(client_id, client_email))
    weeks = HourlyWeek.objects.filter(state=WeekState.BILLED, billed_at__gte=start, billed_minor__gt=0).values_list(
        "billed_at",
        "contract__currency",
        "billed_minor",
        "contract__freelancer",
        "contract__client",
        "contract__client_email",
    )
    for billed_at, currency, minor, freelancer_id, client_id, client_email in weeks.iterator():
        add(billed_at, currency, minor, freelancer_id, _client_key(client_id, client_email))

    labels = [month.strftime("%Y-%m") for month in months]
    currencies = sorted({currency for _, currency in cells})
    series, suppressed = {}, 0
    for currency in currencies:
        values = []
        for label in labels:
            cell = cells.get((label, currency))
            if cell is None:
                values.append(0)
            elif len(cell["freelancers"]) >= K and len(cell["clients"]) >= K:
                values.append(cell["minor"])
            else:
                values.append(None)
                suppressed += 1
        if any(values):
            series[currency] = values
    return {"months": labels, "series": series, "suppressed": suppressed}


def _days(seconds: int) -> str:
    """Whole seconds as days with one decimal, by integer arithmetic (half up)."""
    tenths = (seconds * 10 + SECONDS_PER_DAY // 2) // SECONDS_PER_DAY
    return f"{tenths // 10}.{tenths % 10}"


def milestone_release_days() -> dict:
    """Delivery (submitted_at) to release, over released milestones. A release at or after the end of the review
    window is the automatic one (a client's approval always comes before the window ends)."""
    rows = Milestone.objects.filter(
        state=MilestoneState.RELEASED, submitted_at__isnull=False, released_at__isnull=False
    ).values_list(
        "submitted_at",
        "released_at",
        "review_ends_at",
        "contract__freelancer",
        "contract__client",
        "contract__client_email",
    )
    waits, automatic, freelancers, clients = [], 0, set(), set()
    for submitted_at, released_at, review_ends_at, freelancer_id, client_id, client_email in rows.iterator():
        waits.append(max(int((released_at - submitted_at).total_seconds()), 0))
        automatic += bool(review_ends_at and released_at >= review_ends_at)
        freelancers.add(freelancer_id)
        clients.add(_client_key(client_id, client_email))
    if len(freelancers) < K or len(clients) < K:
        return {"shown": False}
    return {"shown": True, "median_days": _days(median_low(waits)), "milestones": len(waits), "automatic": automatic}


def invoice_payment_days() -> dict:
    """Issue date to the last payment's date, over fully paid invoices to direct clients (clients told apart by
    e-mail, since each freelancer keeps their own client records)."""
    rows = (
        Invoice.objects.filter(kind=DocumentKind.INVOICE, state=InvoiceState.PAID)
        .annotate(last_paid_on=Max("payments__received_on"))
        .filter(last_paid_on__isnull=False)
        .values_list("issue_date", "last_paid_on", "freelancer", "client__email")
    )
    waits, freelancers, clients = [], set(), set()
    for issue_date, last_paid_on, freelancer_id, client_email in rows.iterator():
        waits.append(max((last_paid_on - issue_date).days, 0))
        freelancers.add(freelancer_id)
        clients.add(client_email.lower())
    if len(freelancers) < K or len(clients) < K:
        return {"shown": False}
    return {"shown": True, "median_days": median_low(waits), "invoices": len(waits)}


def platform_figures(*, today: date) -> dict:
    """Every figure on the public page, as JSON-ready aggregates."""
    return {
        "k": K,
        "cities": freelancers_by_city(),
        "pseb": pseb_share(today=today),
        "skills": skills_demand_and_supply(),
        "rates": median_rates_by_skill(),
        "countries": clients_by_country(),
        "escrow": escrow_released_by_month(today=today),
        "release": milestone_release_days(),
        "invoices": invoice_payment_days(),
    }


def unsaved_snapshot():
    """Today's figures as a snapshot that is not stored: what the nightly job would save."""
    now = timezone.now()
    return InsightSnapshot(period=timezone.localdate(now), computed_at=now, data=platform_figures(today=now.date()))
