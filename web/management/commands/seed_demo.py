"""Make a believable demo world. Safe to run again: it finds what exists and adds only what is missing."""

import importlib
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Hat, Skill, User
from accounts.services import (
    client_profile_ensure,
    client_profile_update,
    freelancer_profile_ensure,
    freelancer_profile_update,
    user_switch_hat,
)
from web.demo_marketplace import seed as seed_marketplace

DEMO_MODULES = [
    "accounts.demo_population",
    "web.demo_messaging",
    "contracts.demo",
    "payouts.demo",
    "invoicing.demo",
    "books.demo",
    "tax.demo",
]

DEMO_PASSWORD = "kamai-demo-2026"  # noqa: S105 -- public demo password, printed on purpose

FREELANCERS = [
    # email, name, city, headline, skills, rate, currency, languages, pseb
    (
        "ayesha@demo.kamai.pk",
        "Ayesha Siddiqui",
        "lahore",
        "Full-stack Django and React developer",
        ["web-development", "software-development", "devops-and-cloud"],
        "35.00",
        "USD",
        ["ur", "en", "pa"],
        "PSEB-2024-1187",
    ),
    (
        "bilal@demo.kamai.pk",
        "Bilal Ahmed",
        "karachi",
        "Flutter and Kotlin mobile apps that ship",
        ["mobile-apps", "software-development", "ui-ux-design"],
        "28.00",
        "USD",
        ["ur", "en", "sd"],
        "PSEB-2023-0441",
    ),
    (
        "hina@demo.kamai.pk",
        "Hina Raza",
        "islamabad",
        "Brand identity and UI/UX designer",
        ["graphic-design", "ui-ux-design", "illustration"],
        "25.00",
        "USD",
        ["ur", "en"],
        "",
    ),
    (
        "usman@demo.kamai.pk",
        "Usman Khan",
        "peshawar",
        "SEO and content strategy for SaaS",
        ["seo", "content-writing", "digital-marketing"],
        "18.00",
        "USD",
        ["ps", "ur", "en"],
        "",
    ),
    (
        "farah@demo.kamai.pk",
        "Farah Naz",
        "faisalabad",
        "Bookkeeping in QuickBooks and Xero for small firms",
        ["accounting", "bookkeeping", "data-entry"],
        "15.00",
        "GBP",
        ["ur", "en", "pa"],
        "PSEB-2025-2210",
    ),
    (
        "saad@demo.kamai.pk",
        "Saad Qureshi",
        "multan",
        "Video editing, motion graphics and YouTube growth",
        ["video-and-animation", "social-media-management"],
        "20.00",
        "USD",
        ["ur", "skr", "en"],
        "",
    ),
    (
        "zainab@demo.kamai.pk",
        "Zainab Malik",
        "lahore",
        "English–Urdu–Arabic translator",
        ["translation", "content-writing", "copywriting"],
        "60.00",
        "AED",
        ["ur", "en", "ar"],
        "",
    ),
    (
        "hamza@demo.kamai.pk",
        "Hamza Tariq",
        "karachi",
        "Python data scientist: dashboards and ML models",
        ["data-science", "machine-learning-and-ai", "software-development"],
        "40.00",
        "USD",
        ["ur", "en"],
        "PSEB-2024-0934",
    ),
    (
        "maryam@demo.kamai.pk",
        "Maryam Javed",
        "islamabad",
        "Virtual assistant and customer support lead",
        ["virtual-assistance", "customer-service", "data-entry"],
        "1800.00",
        "PKR",
        ["ur", "en"],
        "",
    ),
    (
        "ali@demo.kamai.pk",
        "Ali Hassan",
        "peshawar",
        "Shopify stores and Amazon listings",
        ["e-commerce-shopify-amazon", "wordpress", "web-development"],
        "22.00",
        "EUR",
        ["ps", "ur", "en"],
        "",
    ),
]

CLIENTS = [
    ("emily@demo-client.example", "Brightline Labs (Emily Carter)", "US", "America/New_York"),
    ("oliver@demo-client.example", "Thames Digital Ltd", "GB", "Europe/London"),
    ("omar@demo-client.example", "Al Noor Trading LLC", "AE", "Asia/Dubai"),
    ("lena@demo-client.example", "Kraftwerk Studio GmbH", "DE", "Europe/Berlin"),
]

STAFF = ("mediator@demo.kamai.pk", "Kamai mediator")


class Command(BaseCommand):
    help = "Create demo freelancers, clients and a staff mediator. Idempotent."

    def _user(self, email, *, staff=False) -> tuple[User, bool]:
        user = User.objects.filter(email=email).first()
        created = user is None
        if created:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, is_staff=staff, is_superuser=staff)
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user, created

    @transaction.atomic
    def handle(self, *args, **options):
        skills = {skill.slug: skill for skill in Skill.objects.all()}
        made = 0
        for email, name, city, headline, skill_slugs, rate, currency, languages, pseb in FREELANCERS:
            user, created = self._user(email)
            made += created
            profile = freelancer_profile_ensure(user=user)
            if created:
                freelancer_profile_update(
                    profile=profile,
                    display_name=name,
                    headline=headline,
                    bio=f"{headline}. Based in {city.title()}, working with clients in the US, UK, Gulf and Europe.",
                    city=city,
                    skills=[skills[s] for s in skill_slugs if s in skills],
                    hourly_rate=Decimal(rate),
                    rate_currency=currency,
                    languages=languages,
                    availability="part_time" if len(name) % 3 == 0 else "full_time",
                    pseb_registration_number=pseb,
                    pseb_expires_on=None,
                    ntn="7654321-0" if email.startswith("ayesha@") else "",
                )
        for email, company, country, tz in CLIENTS:
            user, created = self._user(email)
            made += created
            if created:
                user_switch_hat(user=user, hat=Hat.CLIENT)
                client_profile_update(
                    profile=client_profile_ensure(user=user), name=company, country=country, time_zone=tz
                )
        _, created = self._user(STAFF[0], staff=True)
        made += created

        jobs = seed_marketplace()  # the marketplace builds on these accounts
        self.stdout.write(f"Marketplace: {jobs} new jobs with proposals, offers and reviews.")
        # Each later app adds its own demo world on top, in this order (each module's seed() is idempotent).
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            summary = module.seed()
            if summary:
                self.stdout.write(str(summary))

        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({made} new accounts)."))
        self.stdout.write(f"All demo accounts use the password: {DEMO_PASSWORD}")
        self.stdout.write(f"  freelancer: {FREELANCERS[0][0]}  (also: {', '.join(f[0] for f in FREELANCERS[1:4])}, …)")
        self.stdout.write(f"  client:     {CLIENTS[0][0]}  (also: {', '.join(c[0] for c in CLIENTS[1:])})")
        self.stdout.write(f"  staff:      {STAFF[0]}  (admin at /admin/)")
