"""Shapes of the profile API: your own freelancer profile (what its edit page edits, the private NTN included),
your portfolio, and a public profile (exactly what its public page shows: no e-mail address, no NTN, no PSEB
number, only whether the registration is current)."""

from django.db import DatabaseError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Availability, City, Language, Skill
from api.invoicing_serializers import StrictChar, StrictRegex, Text
from api.serializers import NO_NUL, DecimalString, MoneyField, SkillSlugs, Upload
from ledger.money import CURRENCY_CHOICES

CURRENCIES = [code for code, _label in CURRENCY_CHOICES]
# What the page's profile address accepts (a SlugField), stored in lower case.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,60}$"
# A web address; whether it is one the site accepts is the model's URL check (a 409). No `\s`: Python and the
# schema's ECMAScript regexes disagree on what it matches (U+0085 is whitespace only to Python).
LINK_PATTERN = r"^(https?://[^\x00-\x20\x7f-\x9f]{1,190})?$"
NTN_PATTERN = r"^([0-9A-Za-z-]{7,20})?$"


def _skill_slugs() -> list[str]:
    try:
        return list(Skill.objects.order_by("slug").values_list("slug", flat=True))
    except DatabaseError:  # the schema built before migrations (`check --deploy` on an empty database)
        return []


def Blank(*, max_length: int, **kwargs) -> serializers.CharField:
    return StrictChar(max_length=max_length, required=False, allow_blank=True, validators=[NO_NUL], **kwargs)


class PortfolioItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    link = serializers.CharField()
    image = serializers.SerializerMethodField(help_text="The re-encoded image's address, if any.")
    thumbnail = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_image(self, item):
        return self._url(item.image)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_thumbnail(self, item):
        return self._url(item.thumbnail)

    def _url(self, field):
        if not field:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(field.url) if request else field.url


class PortfolioItemCreateSerializer(serializers.Serializer):
    title = Text(max_length=120)
    description = Blank(max_length=3000, default="")
    link = StrictRegex(LINK_PATTERN, max_length=200, required=False, allow_blank=True, default="")


class PortfolioItemUploadSerializer(PortfolioItemCreateSerializer):
    image = Upload(required=False, help_text="JPEG, PNG, WebP or GIF; re-encoded without its metadata.")


class OwnProfileSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="Your public page is /f/<slug>/ (empty until the profile is saved).")
    display_name = serializers.CharField()
    headline = serializers.CharField()
    bio = serializers.CharField()
    city = serializers.CharField()
    skills = serializers.SerializerMethodField(help_text="Skill slugs.")
    hourly_rate = MoneyField(amount="hourly_rate", currency="rate_currency")
    rate_currency = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    availability = serializers.CharField()
    pseb_registration_number = serializers.CharField()
    pseb_expires_on = serializers.DateField(allow_null=True)
    pseb_registered = serializers.BooleanField()
    ntn = serializers.CharField(help_text="Private: never shown to anyone else.")

    def get_skills(self, profile) -> list[str]:
        return [skill.slug for skill in profile.skills.all()] if profile.pk else []  # unsaved: none yet


class ProfileUpdateSerializer(serializers.Serializer):
    """Only the fields sent change; the rest keep their values. The page's own checks then apply (a 409)."""

    display_name = Text(max_length=80, required=False)
    slug = StrictRegex(SLUG_PATTERN, required=False, help_text="Stored in lower case; must be free.")
    headline = Blank(max_length=140)
    bio = Blank(max_length=5000)
    city = serializers.ChoiceField(choices=["", *City.values], required=False)
    skills = serializers.ListField(
        child=serializers.ChoiceField(choices=[]), max_length=50, required=False, help_text="Skill slugs."
    )
    hourly_rate = DecimalString(whole_digits=10, decimal_places=2, required=False, allow_null=True,
                                help_text="In rate_currency; null for none.")  # fmt: skip
    rate_currency = serializers.ChoiceField(choices=CURRENCIES, required=False)
    languages = serializers.ListField(child=serializers.ChoiceField(choices=Language.values), max_length=20,
                                      required=False)  # fmt: skip
    availability = serializers.ChoiceField(choices=Availability.values, required=False)
    pseb_registration_number = Blank(max_length=40)
    pseb_expires_on = serializers.DateField(required=False, allow_null=True)
    ntn = StrictRegex(NTN_PATTERN, required=False, allow_blank=True, help_text="Digits, e.g. 1234567-8.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].child.choices = _skill_slugs()


class ReviewSerializer(serializers.Serializer):
    rating = serializers.IntegerField()
    job_title = serializers.CharField(source="offer.job.title")
    text = serializers.CharField()
    # The client's name, as the public page shows it (never an e-mail address).
    client = serializers.SerializerMethodField()
    revealed_at = serializers.DateTimeField()

    def get_client(self, review) -> str:
        profile = getattr(review.author, "client_profile", None)
        return profile.name if profile else ""


class PublicProfileSerializer(serializers.Serializer):
    slug = serializers.CharField()
    display_name = serializers.CharField()
    headline = serializers.CharField()
    bio = serializers.CharField()
    city = serializers.CharField()
    hourly_rate = MoneyField(amount="hourly_rate", currency="rate_currency")
    availability = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    pseb_registered = serializers.BooleanField()
    rating = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    rating_count = serializers.IntegerField()
    job_success_pct = serializers.IntegerField(allow_null=True)
    member_since = serializers.DateTimeField(source="user.date_joined")
    skills = SkillSlugs()
    portfolio = PortfolioItemSerializer(source="portfolio_items.all", many=True)
    reviews = ReviewSerializer(many=True, help_text="The latest reviews both sides have revealed.")
