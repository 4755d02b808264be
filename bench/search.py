"""Search and recommendation benchmark on PostgreSQL: 100,000 freelancers and 100,000 jobs.

Run with `make bench` (or `.venv/bin/python bench/search.py`; `--rows 1000000` for a million of each).
Uses DATABASE_URL if it points at PostgreSQL, else postgres://kamai:kamai@127.0.0.1:5432/kamai_bench_search
(`_<rows>` appended for other sizes; created and migrated if missing).
Seeding happens once; later runs reuse the data. Prints p50/p95 per query in milliseconds.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

from benchkit import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "--rows" in sys.argv:  # bench/search.py --rows 1000000: its own database, kamai_bench_search_1000000
    os.environ["BENCH_ROWS"] = sys.argv[sys.argv.index("--rows") + 1]
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
DEFAULT_URL = "postgres://kamai:kamai@127.0.0.1:5432/kamai_bench_search" + ("" if ROWS == 100_000 else f"_{ROWS}")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ["DATABASE_URL"] = DEFAULT_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kamai.settings")


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import ClientProfile, FreelancerProfile, Skill, User  # noqa: E402
from marketplace import candidates, selectors  # noqa: E402
from marketplace.models import Job  # noqa: E402

N = ROWS
RUNS = int(os.environ.get("BENCH_RUNS", "60"))
WORDS = (
    "django react flutter kotlin shopify wordpress python api dashboard logo brand seo content video animation "
    "translation arabic english urdu bookkeeping xero quickbooks support chat mobile ios android design figma "
    "data science machine learning model scraping excel sheets marketing ads campaign landing page store "
    "ecommerce amazon listing copywriting blog articles editing youtube podcast voice tutor maths physics"
).split()
CITIES = ["lahore", "karachi", "islamabad", "peshawar", "faisalabad", "multan", "quetta", "sialkot"]
CURRENCIES = ["USD", "USD", "USD", "GBP", "EUR", "AED", "PKR"]


# Real posts use thousands of distinct words with a few very common ones (Zipf's law): the domain words above
# are the most frequent, followed by a long tail. Queries use the domain words, i.e. the commonest terms.
TAIL = [f"{a}{b}" for a in ("pro", "con", "tra", "inter", "re", "de", "sub", "pre") for b in WORDS[:60]] + [
    f"term{n}" for n in range(3500)
]
VOCABULARY = WORDS + TAIL
ZIPF = [1 / (rank + 1) ** 1.05 for rank in range(len(VOCABULARY))]


def sentence(rng, n):
    return " ".join(rng.choices(VOCABULARY, weights=ZIPF, k=n))


def query_words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


# Above this many rows the texts are drawn by PostgreSQL (fill_texts_in_sql), from the same vocabulary with a
# log-uniform rank (Zipf with exponent 1, close to the 1.05 used in Python): a million rows seed in minutes.
SQL_TEXT_ABOVE = 100_000
CHUNK = 100_000


def seed() -> None:
    rng = random.Random(7)
    skills = list(Skill.objects.values_list("id", flat=True))
    now = timezone.now()
    started = time.perf_counter()
    batch = 5000
    in_sql = N > SQL_TEXT_ABOVE

    def text(n):
        return "" if in_sql else sentence(rng, n)

    clients = [User(email=f"client{n}@bench.kamai", password="!", active_hat="client") for n in range(N // 20)]
    User.objects.bulk_create(clients, batch_size=batch)
    ClientProfile.objects.bulk_create(
        [ClientProfile(user=u, name=f"Client {u.pk}", country=rng.choice(["US", "GB", "AE", "DE"])) for u in clients],
        batch_size=batch,
    )
    for first in range(0, N, CHUNK):
        with transaction.atomic():
            numbers = range(first, min(N, first + CHUNK))
            users = [User(email=f"bench{n}@bench.kamai", password="!", active_hat="freelancer") for n in numbers]
            User.objects.bulk_create(users, batch_size=batch)
            profiles = []
            for n, user in zip(numbers, users, strict=True):
                currency = rng.choice(CURRENCIES)
                rated = rng.random() < 0.6
                profiles.append(
                    FreelancerProfile(
                        user=user,
                        slug=f"bench-{n}",
                        display_name=f"Freelancer {n}",
                        headline=text(5),
                        bio=text(40),
                        city=rng.choice(CITIES),
                        rate_currency=currency,
                        hourly_rate_minor=rng.randint(5, 80) * 100 * (280 if currency == "PKR" else 1),
                        availability=rng.choice(["full_time", "part_time", "unavailable"]),
                        pseb_registration_number=f"PSEB-{n}" if rng.random() < 0.1 else "",
                        rating_x100=rated and rng.randint(300, 500),
                        rating_count=rated and rng.randint(1, 40),
                    )
                )
            FreelancerProfile.objects.bulk_create(profiles, batch_size=batch)
            through = FreelancerProfile.skills.through
            through.objects.bulk_create(
                [through(freelancerprofile_id=p.pk, skill_id=s) for p in profiles for s in rng.sample(skills, 3)],
                batch_size=batch * 4,
            )
            jobs = []
            for _ in numbers:
                low = rng.randint(1, 50) * 100 * 100
                kind = rng.choice(["fixed", "hourly"])
                jobs.append(
                    Job(
                        client=rng.choice(clients),
                        title=text(6),
                        description=text(80),
                        budget_type=kind,
                        currency=rng.choice(CURRENCIES),
                        budget_min_minor=low,
                        budget_max_minor=low * 2,
                        duration="weeks",
                        experience_level="intermediate",
                        visibility="public" if rng.random() < 0.95 else "invite_only",
                        state="open" if rng.random() < 0.8 else "closed",
                        published_at=now,
                    )
                )
            Job.objects.bulk_create(jobs, batch_size=batch)
            jthrough = Job.skills.through
            jthrough.objects.bulk_create(
                [jthrough(job_id=j.pk, skill_id=s) for j in jobs for s in rng.sample(skills, 2)], batch_size=batch * 4
            )
        print(f"  {min(N, first + CHUNK):,} of {N:,} rows ({time.perf_counter() - started:.0f}s)", flush=True)
    finish_seed(in_sql)
    print(f"seeded {N} freelancers and {N} jobs in {time.perf_counter() - started:.0f}s")


def finish_seed(in_sql: bool) -> None:
    """Texts drawn in SQL (large sizes), then the search documents and the per-skill candidate lists (which
    the services keep row by row; the seed writes around them), then statistics."""
    if in_sql:
        fill_texts_in_sql()
    # The search documents, computed in bulk exactly as marketplace.search does row by row.
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE marketplace_job j SET search_vector =
                 setweight(to_tsvector('english', j.title), 'A')
                 || setweight(to_tsvector('english', coalesce(s.names, '')), 'B')
                 || setweight(to_tsvector('english', j.description), 'C')
               FROM (SELECT js.job_id, string_agg(sk.name, ' ') AS names FROM marketplace_job_skills js
                     JOIN accounts_skill sk ON sk.id = js.skill_id GROUP BY js.job_id) s
               WHERE s.job_id = j.id"""
        )
        cursor.execute(
            """UPDATE accounts_freelancerprofile p SET search_vector =
                 setweight(to_tsvector('english', p.display_name || ' ' || p.headline), 'A')
                 || setweight(to_tsvector('english', coalesce(s.names, '')), 'B')
                 || setweight(to_tsvector('english', p.bio), 'C')
               FROM (SELECT ps.freelancerprofile_id AS pid, string_agg(sk.name, ' ') AS names
                     FROM accounts_freelancerprofile_skills ps JOIN accounts_skill sk ON sk.id = ps.skill_id
                     GROUP BY ps.freelancerprofile_id) s
               WHERE s.pid = p.id"""
        )
    candidates.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE") if connection.connection.autocommit else cursor.execute("ANALYZE")


def fill_texts_in_sql() -> None:
    """Headlines, bios, job titles and descriptions drawn by PostgreSQL: word i of the vocabulary (by rank) with
    probability about 1/i, the same shape of text as sentence() writes, in seconds instead of an hour."""
    draw = (
        "array_to_string(ARRAY(SELECT (%(v)s::text[])[least({size}, floor(exp(random() * ln({size} + 1)))::int)] "
        "FROM generate_series(1, {n}) g WHERE g > 0 AND {row} IS NOT NULL), ' ')"
    )
    size = len(VOCABULARY)
    with connection.cursor() as cursor:
        for table, row, columns in (
            ("accounts_freelancerprofile", "accounts_freelancerprofile.id", (("headline", 5), ("bio", 40))),
            ("marketplace_job", "marketplace_job.id", (("title", 6), ("description", 80))),
        ):
            sets = ", ".join(f"{name} = " + draw.format(size=size, n=n, row=row) for name, n in columns)
            cursor.execute(f"UPDATE {table} SET {sets}", {"v": VOCABULARY})  # noqa: S608 - our own names


def timed(label, fn, results):
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    results.append((label, p50, p95))
    print(f"{label:<48} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


def main():
    call_command("migrate", verbosity=0)
    if not User.objects.filter(email="bench0@bench.kamai").exists():
        seed()
    elif Job.objects.filter(search_vector__isnull=True).exists():  # a seed stopped before its last step
        finish_seed(N > SQL_TEXT_ABOVE)
    rng = random.Random(11)
    skills = list(Skill.objects.all())
    profiles = list(FreelancerProfile.objects.filter(user__email__startswith="bench").order_by("?")[:RUNS])
    jobs = list(Job.objects.filter(state="open").order_by("?")[:RUNS])
    F, J = selectors.FreelancerFilters, selectors.JobFilters

    def run_page(page):
        list(page.object_list)
        return page.paginator.count

    results = []
    print(f"PostgreSQL, {Job.objects.count()} jobs, {FreelancerProfile.objects.count()} freelancers, {RUNS} runs each")
    timed(
        "jobs: text (2 words), relevance", lambda: run_page(selectors.search_jobs(J(text=query_words(rng, 2)))), results
    )
    timed(
        "jobs: text + fixed + USD budget range",
        lambda: run_page(
            selectors.search_jobs(
                J(
                    text=rng.choice(WORDS),
                    budget_type="fixed",
                    currency="USD",
                    budget_min=Decimal(500),
                    budget_max=Decimal(3000),
                )
            )
        ),
        results,
    )
    timed(
        "jobs: 2 skills, newest",
        lambda: run_page(selectors.search_jobs(J(skills=rng.sample(skills, 2), sort="newest"))),
        results,
    )
    timed(
        "jobs: client country + posted within 7 days",
        lambda: run_page(selectors.search_jobs(J(client_country="GB", posted_within_days=7, sort="newest"))),
        results,
    )
    timed(
        "freelancers: text (1 word), relevance",
        lambda: run_page(selectors.search_freelancers(F(text=query_words(rng, 1)))),
        results,
    )
    timed(
        "freelancers: city + PSEB + rating sort",
        lambda: run_page(selectors.search_freelancers(F(city=rng.choice(CITIES), pseb_registered=True, sort="rating"))),
        results,
    )
    timed(
        "freelancers: skill + USD rate range, rate sort",
        lambda: run_page(
            selectors.search_freelancers(
                F(
                    skills=[rng.choice(skills)],
                    currency="USD",
                    rate_min=Decimal(10),
                    rate_max=Decimal(40),
                    sort="rate_low",
                )
            )
        ),
        results,
    )
    it = iter(profiles * 2)
    timed("recommend: jobs for a freelancer", lambda: selectors.jobs_for_freelancer(next(it)), results)
    jt = iter(jobs * 2)
    timed("recommend: freelancers for a job", lambda: selectors.freelancers_for_job(next(jt)), results)
    worst = max(p95 for _, _, p95 in results)
    print(f"worst p95: {worst:.1f} ms (target 50 ms)")


if __name__ == "__main__":
    main()
