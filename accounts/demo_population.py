"""A larger demo population for `seed_demo`: freelancers in every big city and clients in the four main
markets, so search, recommendations and the anonymized insights (which hide any group under 5 people) have
something to show. These accounts cannot log in (no password); the named demo accounts are for that."""

from decimal import Decimal

from django.db import transaction

from accounts.models import Skill, User
from accounts.services import (
    client_profile_ensure,
    client_profile_update,
    freelancer_profile_ensure,
    freelancer_profile_update,
    user_switch_hat,
)

FIRST = ["Ahmed", "Sana", "Imran", "Nida", "Kashif", "Rabia", "Fahad", "Mehwish", "Tariq", "Amna", "Waqas", "Iqra"]
LAST = ["Butt", "Chaudhry", "Sheikh", "Malik", "Qureshi", "Abbasi", "Mirza", "Khan", "Rizvi", "Baig"]
CITIES = ["lahore", "karachi", "islamabad", "peshawar", "faisalabad", "multan"]
PROFILES = [
    ("Laravel and Vue web apps", ["web-development", "software-development"], "22"),
    ("Logo, packaging and social media design", ["graphic-design", "illustration"], "15"),
    ("SEO content writer for SaaS and fintech", ["content-writing", "seo", "copywriting"], "12"),
    ("Amazon FBA virtual assistant", ["virtual-assistance", "e-commerce-shopify-amazon", "data-entry"], "8"),
    ("React Native and Flutter developer", ["mobile-apps", "software-development"], "25"),
    ("Bookkeeper for US and UK small businesses", ["bookkeeping", "accounting"], "14"),
]
COUNTRIES = [("US", "America/Chicago"), ("GB", "Europe/London"), ("AE", "Asia/Dubai"), ("DE", "Europe/Berlin")]
COMPANIES = ["Northwind", "Bluefin", "Crescent", "Harbor", "Summit", "Oakline", "Desert Rose", "Rheinwerk"]


@transaction.atomic
def seed() -> str:
    if User.objects.filter(email="member0@demo.kamai.pk").exists():
        return ""
    skills = {skill.slug: skill for skill in Skill.objects.all()}
    for n in range(36):
        user = User.objects.create_user(email=f"member{n}@demo.kamai.pk", password=None)
        headline, skill_slugs, rate = PROFILES[n % len(PROFILES)]
        city = CITIES[n // len(PROFILES) % len(CITIES)]
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}"
        freelancer_profile_update(
            profile=freelancer_profile_ensure(user=user),
            display_name=name,
            headline=headline,
            bio=f"{headline}, based in {city.title()}. Five years with clients abroad.",
            city=city,
            skills=[skills[s] for s in skill_slugs if s in skills],
            hourly_rate=Decimal(rate) + n % 5,
            rate_currency="USD",
            languages=["ur", "en"],
            availability="part_time" if n % 4 == 0 else "full_time",
            pseb_registration_number=f"PSEB-2025-{3000 + n}" if n % 3 == 0 else "",
        )
    for n in range(16):
        user = User.objects.create_user(email=f"buyer{n}@demo-client.example", password=None)
        country, zone = COUNTRIES[n % len(COUNTRIES)]
        user_switch_hat(user=user, hat="client")
        client_profile_update(
            profile=client_profile_ensure(user=user),
            name=f"{COMPANIES[n % len(COMPANIES)]} {['LLC', 'Ltd', 'FZE', 'GmbH'][n % 4]}",
            country=country,
            time_zone=zone,
        )
    return "Population: 36 more freelancers in six cities and 16 more clients (no logins), for search and insights."
