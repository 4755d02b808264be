"""Users, the hats they wear, the skills taxonomy and the freelancer and client profiles."""

import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.money import CURRENCY_CHOICES, from_minor


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class Hat(models.TextChoices):
    FREELANCER = "freelancer", _("Freelancer")
    CLIENT = "client", _("Client")


class User(AbstractBaseUser, PermissionsMixin):
    """One account; it may act as a freelancer, a client, or both. Staff are mediators/admins."""

    email = models.EmailField(_("e-mail address"), unique=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    active_hat = models.CharField(max_length=12, choices=Hat.choices, default=Hat.FREELANCER)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        indexes = [
            # Deactivated accounts are few: searches leave them out with an anti-join on this small index
            # instead of joining every matching profile to its user.
            models.Index(fields=["id"], condition=models.Q(is_active=False), name="user_inactive_idx"),
        ]

    def __str__(self):
        return self.email

    @property
    def name(self) -> str:
        profile = getattr(self, "freelancer_profile", None)
        if profile and profile.display_name:
            return profile.display_name
        client = getattr(self, "client_profile", None)
        if client and client.name:
            return client.name
        return self.email.split("@")[0]


class Skill(models.Model):
    """The skills taxonomy; seeded by a data migration, extended by staff in the admin."""

    name = models.CharField(max_length=80, unique=True)
    name_ur = models.CharField(_("name in Urdu"), max_length=80, blank=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def localized_name(self, language: str) -> str:
        return self.name_ur if language.startswith("ur") and self.name_ur else self.name


class City(models.TextChoices):
    KARACHI = "karachi", _("Karachi")
    LAHORE = "lahore", _("Lahore")
    ISLAMABAD = "islamabad", _("Islamabad")
    RAWALPINDI = "rawalpindi", _("Rawalpindi")
    FAISALABAD = "faisalabad", _("Faisalabad")
    MULTAN = "multan", _("Multan")
    PESHAWAR = "peshawar", _("Peshawar")
    QUETTA = "quetta", _("Quetta")
    HYDERABAD = "hyderabad", _("Hyderabad")
    GUJRANWALA = "gujranwala", _("Gujranwala")
    SIALKOT = "sialkot", _("Sialkot")
    BAHAWALPUR = "bahawalpur", _("Bahawalpur")
    SARGODHA = "sargodha", _("Sargodha")
    ABBOTTABAD = "abbottabad", _("Abbottabad")
    MARDAN = "mardan", _("Mardan")
    SUKKUR = "sukkur", _("Sukkur")
    GILGIT = "gilgit", _("Gilgit")
    MUZAFFARABAD = "muzaffarabad", _("Muzaffarabad")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    URDU = "ur", _("Urdu")
    ENGLISH = "en", _("English")
    PUNJABI = "pa", _("Punjabi")
    SINDHI = "sd", _("Sindhi")
    PASHTO = "ps", _("Pashto")
    BALOCHI = "bal", _("Balochi")
    SARAIKI = "skr", _("Saraiki")
    ARABIC = "ar", _("Arabic")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    CHINESE = "zh", _("Chinese")


class Availability(models.TextChoices):
    FULL_TIME = "full_time", _("Available full-time")
    PART_TIME = "part_time", _("Available part-time")
    UNAVAILABLE = "unavailable", _("Not available now")


def photo_upload_to(instance, filename):
    # Public files under a random name (see accounts.services.profile_photo_set): a new photo gets a new URL.
    return f"photos/{filename}"


def initials_of(name: str) -> str:
    """Up to two letters for the placeholder shown where a person has no photo."""
    return "".join(word[0] for word in name.split()[:2]).upper() or "?"


class FreelancerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="freelancer_profile")
    slug = models.SlugField(max_length=60, unique=True)
    display_name = models.CharField(_("display name"), max_length=80)
    headline = models.CharField(_("headline"), max_length=140, blank=True)
    bio = models.TextField(_("about you"), blank=True, max_length=5000)
    city = models.CharField(_("city"), max_length=20, choices=City.choices, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="freelancers")
    hourly_rate_minor = models.BigIntegerField(_("hourly rate"), null=True, blank=True)
    rate_currency = models.CharField(_("rate currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    availability = models.CharField(
        _("availability"), max_length=12, choices=Availability.choices, default=Availability.FULL_TIME
    )
    pseb_registration_number = models.CharField(_("PSEB registration number"), max_length=40, blank=True)
    pseb_expires_on = models.DateField(_("PSEB registration expires on"), null=True, blank=True)
    ntn = models.CharField(_("NTN (private)"), max_length=20, blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_upload_to, blank=True, editable=False, max_length=200)
    photo_small = models.FileField(upload_to=photo_upload_to, blank=True, editable=False, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by marketplace services (search index and review statistics); never edited by hand.
    search_vector = SearchVectorField(null=True, editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    rating_x100 = models.PositiveIntegerField(default=0, editable=False, help_text="Average rating × 100; 0 = none")
    job_success_pct = models.PositiveSmallIntegerField(null=True, editable=False)
    ended_contracts = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        indexes = [
            # Match the search's sort orders exactly so PostgreSQL can read pages straight off the index.
            models.Index(fields=["-rating_x100", "-rating_count", "id"], name="freelancer_rating_idx"),
            models.Index(fields=["city", "-rating_x100", "-rating_count", "id"], name="freelancer_city_rating_idx"),
            # Only ~1% of freelancers are PSEB-registered: a partial index makes "PSEB only" searches cheap.
            models.Index(
                fields=["-rating_x100", "-rating_count", "id"],
                condition=~models.Q(pseb_registration_number=""),
                name="freelancer_pseb_idx",
            ),
            models.Index(
                fields=["city", "-rating_x100", "-rating_count", "id"],
                condition=~models.Q(pseb_registration_number=""),
                name="freelancer_pseb_city_idx",
            ),
            # With the account id, a count by rate range reads the index alone (the active-account check needs it).
            models.Index(
                fields=["rate_currency", "hourly_rate_minor", "id"], include=["user"], name="freelancer_rate_idx"
            ),
            # The home page's "recently updated" cards, in exactly that order.
            models.Index(fields=["-updated_at", "-id"], condition=~models.Q(headline=""), name="freelancer_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate_minor__isnull=True) | models.Q(hourly_rate_minor__gte=0),
                name="freelancer_rate_not_negative",
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def initials(self) -> str:
        return initials_of(self.display_name)

    @property
    def hourly_rate(self):
        if self.hourly_rate_minor is None:
            return None
        return from_minor(self.hourly_rate_minor, self.rate_currency)

    @property
    def pseb_registered(self) -> bool:
        return bool(self.pseb_registration_number) and (
            self.pseb_expires_on is None or self.pseb_expires_on >= timezone.localdate()
        )

    @property
    def rating(self):
        from decimal import Decimal

        if not self.rating_count:
            return None
        return (Decimal(self.rating_x100) / 100).quantize(Decimal("0.1"))

    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels[code]) for code in self.languages if code in labels]


def portfolio_upload_to(instance, filename):
    return f"portfolio/{instance.profile_id}/{filename}"


class PortfolioItem(models.Model):
    profile = models.ForeignKey(FreelancerProfile, on_delete=models.CASCADE, related_name="portfolio_items")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=3000)
    link = models.URLField(_("link"), blank=True)
    image = models.ImageField(_("image"), upload_to=portfolio_upload_to, blank=True)
    thumbnail = models.ImageField(upload_to=portfolio_upload_to, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone. Use a name like America/New_York."), params={"value": value}
        )


# Offered as suggestions on the form; any IANA zone is accepted.
COMMON_TIME_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Vancouver",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Zurich",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Riyadh",
    "Asia/Qatar",
    "Asia/Kuwait",
    "Asia/Bahrain",
    "Asia/Muscat",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Kuala_Lumpur",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Perth",
    "Pacific/Auckland",
    "Africa/Johannesburg",
    "Africa/Cairo",
    "Africa/Lagos",
    "UTC",
]


class ClientProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="client_profile")
    name = models.CharField(_("name or company"), max_length=120)
    country = models.CharField(_("country"), max_length=2, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", blank=True, validators=[validate_time_zone]
    )
    photo = models.FileField(_("photo"), upload_to=photo_upload_to, blank=True, editable=False, max_length=200)
    photo_small = models.FileField(upload_to=photo_upload_to, blank=True, editable=False, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name

    @property
    def initials(self) -> str:
        return initials_of(self.name)
