"""Read shapes of the API. Money is a decimal string plus its currency, never a float."""

from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Skill
from ledger.money import from_minor

MONEY_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {
        "amount": {"type": "string", "example": "1250.00"},
        "currency": {"type": "string", "example": "USD"},
    },
}


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SkillSlugs(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, manager):
        return [skill.slug for skill in manager.all()]


@extend_schema_field(MONEY_SCHEMA)
class MoneyField(serializers.Field):
    def __init__(self, *, amount: str, currency: str = "currency", **kwargs):
        self.amount_attr, self.currency_attr = amount, currency
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        amount = getattr(obj, self.amount_attr)
        currency = obj
        for part in self.currency_attr.split("."):
            currency = getattr(currency, part)
        return None if amount is None else {"amount": str(amount), "currency": currency}


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    budget_type = serializers.CharField()
    budget_min = MoneyField(amount="budget_min")
    budget_max = MoneyField(amount="budget_max")
    skills = SkillSlugs()
    published_at = serializers.DateTimeField()


class FreelancerSerializer(serializers.Serializer):
    slug = serializers.CharField()
    display_name = serializers.CharField()
    headline = serializers.CharField()
    city = serializers.CharField()
    hourly_rate = MoneyField(amount="hourly_rate", currency="rate_currency")
    rating = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    rating_count = serializers.IntegerField()
    pseb_registered = serializers.BooleanField()
    skills = SkillSlugs()


class MilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    amount = MoneyField(amount="amount", currency="contract.currency")
    due_date = serializers.DateField()
    state = serializers.CharField()
    review_ends_at = serializers.DateTimeField(allow_null=True)


class ContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    currency = serializers.CharField()
    state = serializers.CharField()
    # Names as the contract pages show them, never the other party's e-mail address. An invited client
    # who has not joined yet is known only by the address the freelancer typed, so that is shown.
    client = serializers.SerializerMethodField()
    freelancer = serializers.CharField(source="freelancer.name")
    milestones = MilestoneSerializer(many=True, read_only=True)

    def get_client(self, contract) -> str:
        return contract.client.name if contract.client_id else contract.client_email


class BalanceSerializer(serializers.Serializer):
    account = serializers.CharField(source="account.code")
    currency = serializers.CharField(source="account.currency")
    balance = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)
    held = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)
    available = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)


class FundSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=["bank_transfer", "sandbox"])


class MinorMoneyField(MoneyField):
    """Money stored in minor units (paisa, cents), shown as a decimal string with its currency."""

    def to_representation(self, obj):

        minor = getattr(obj, self.amount_attr)
        currency = obj
        for part in self.currency_attr.split("."):
            currency = getattr(currency, part)
        return None if minor is None else {"amount": str(from_minor(minor, currency)), "currency": currency}


# Some visible character, no NUL: what a trimmed, non-blank CharField accepts, said so a client can check it.
TEXT_PATTERN = r"^[^\x00]*[^\s\x00-\x1f\x7f\x85][^\x00]*$"


def _no_nul():
    from django.core.validators import RegexValidator

    return RegexValidator(r"^[^\x00]*$")


NO_NUL = _no_nul()


def Text(*, max_length: int, **kwargs) -> serializers.CharField:
    from django.core.validators import RegexValidator

    return serializers.CharField(max_length=max_length, validators=[RegexValidator(TEXT_PATTERN)], **kwargs)


def DecimalString(*, whole_digits: int, decimal_places: int, **kwargs) -> serializers.DecimalField:
    """A non-negative decimal sent as a string ("1.5"), documented with the exact pattern it is checked
    against, so a value the schema allows is never a 400. Limits beyond the digits are the service's (a 409)."""

    pattern = rf"^[0-9]{{1,{whole_digits}}}(\.[0-9]{{1,{decimal_places}}})?$"

    @extend_schema_field({"type": "string", "pattern": pattern, "example": "1.50"})
    class Field(serializers.DecimalField):
        def to_internal_value(self, data):
            import re

            if not isinstance(data, str) or not re.fullmatch(pattern, data):
                self.fail("invalid")
            return super().to_internal_value(data)

    return Field(max_digits=whole_digits + decimal_places, decimal_places=decimal_places, **kwargs)


_SEVERAL = object()


class Upload(serializers.FileField):
    """A file part; a multipart part sent without a file name is taken as the file's bytes all the same. What
    the file must hold (a receipt's type, a statement's columns) is the service's to check (a 409)."""

    default_error_messages = {"several": _("Send one file in this field, not several.")}

    def __init__(self, **kwargs):
        super().__init__(allow_empty_file=True, **kwargs)

    def get_value(self, dictionary):
        # The schema states one file: the same part sent twice breaks it (a 400), whichever of the two would win.
        if hasattr(dictionary, "getlist") and len(dictionary.getlist(self.field_name)) > 1:
            return _SEVERAL
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if data is _SEVERAL:
            self.fail("several")
        if isinstance(data, str):
            from django.core.files.uploadedfile import SimpleUploadedFile

            data = SimpleUploadedFile("upload", data.encode("utf-8", "surrogatepass"))
        return super().to_internal_value(data)


class SubmitSerializer(serializers.Serializer):
    message = Text(max_length=5000)


class SubmitUploadSerializer(SubmitSerializer):
    file = Upload(required=False)


class ChangesSerializer(serializers.Serializer):
    note = Text(max_length=2000)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField()
    file_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class TimeEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    minutes = serializers.IntegerField()
    memo = serializers.CharField()


class TimeEntryCreateSerializer(serializers.Serializer):
    day = serializers.DateField()
    hours = DecimalString(whole_digits=2, decimal_places=2)
    memo = Text(max_length=300)


class WeekSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.IntegerField(source="contract_id")
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    state = serializers.SerializerMethodField()
    minutes = serializers.SerializerMethodField()
    billed = MinorMoneyField(amount="billed_minor", currency="contract.currency")
    shortfall = MinorMoneyField(amount="shortfall_minor", currency="contract.currency")
    review_ends_on = serializers.DateField()

    def get_state(self, week) -> str:
        from django.utils import timezone

        return week.state_on(timezone.localdate())

    def get_minutes(self, week) -> int:
        return sum(entry.minutes for entry in week.entries.all())


class WeekDetailSerializer(WeekSerializer):
    entries = TimeEntrySerializer(many=True, read_only=True)


class DisputeOpenSerializer(serializers.Serializer):
    reason = Text(max_length=5000)


class EvidenceCreateSerializer(serializers.Serializer):
    text = Text(max_length=5000)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # The author's display name (never an e-mail address), as the dispute page shows it.
    author = serializers.CharField(source="author.name")
    text = serializers.CharField()
    file_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class DisputeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.IntegerField(source="contract_id")
    milestone = serializers.IntegerField(source="milestone_id", allow_null=True)
    week = serializers.IntegerField(source="week_id", allow_null=True)
    state = serializers.CharField()
    reason = serializers.CharField()
    amount = MinorMoneyField(amount="amount_minor", currency="contract.currency")
    decision = serializers.CharField()
    created_at = serializers.DateTimeField()
    evidence = EvidenceSerializer(many=True, read_only=True)


class MyJobSerializer(JobSerializer):
    published_at = serializers.DateTimeField(allow_null=True)  # a draft is not published yet
    state = serializers.CharField()
    visibility = serializers.CharField()
    duration = serializers.CharField()
    experience_level = serializers.CharField()
    currency = serializers.CharField()
    proposal_count = serializers.IntegerField(required=False, default=0)


class JobCreateSerializer(serializers.Serializer):
    title = Text(max_length=140)
    description = Text(max_length=10000)
    # Skill slugs, listed in the schema as they are in the database (a made-up slug is a 400).
    skills = serializers.ListField(
        child=serializers.ChoiceField(choices=[]), max_length=50, required=False, default=list
    )
    budget_type = serializers.ChoiceField(choices=["fixed", "hourly"])
    currency = serializers.ChoiceField(choices=["PKR", "USD", "EUR", "GBP", "AED", "SAR", "CAD", "AUD"])
    budget_min = DecimalString(whole_digits=10, decimal_places=2)
    budget_max = DecimalString(whole_digits=10, decimal_places=2)
    duration = serializers.ChoiceField(choices=["under_week", "weeks", "months", "quarter_plus", "long"])
    experience_level = serializers.ChoiceField(choices=["entry", "intermediate", "expert"])
    visibility = serializers.ChoiceField(choices=["public", "invite_only"], default="public")
    publish = serializers.BooleanField(default=False, help_text="Open the job at once instead of saving a draft.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            skills = list(Skill.objects.order_by("slug").values_list("slug", flat=True))
        except DatabaseError:  # the schema built before migrations (`check --deploy` on an empty database)
            skills = []
        self.fields["skills"].child.choices = skills


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    job = serializers.IntegerField(source="job_id")
    job_title = serializers.CharField(source="job.title")
    # The freelancer's display name, never an e-mail address.
    freelancer = serializers.CharField(source="freelancer.name")
    cover_letter = serializers.CharField()
    bid = MoneyField(amount="bid")
    duration = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField()


class ProposalCreateSerializer(serializers.Serializer):
    cover_letter = Text(max_length=8000)
    bid = DecimalString(whole_digits=10, decimal_places=2, help_text="In the job's currency.")
    duration = serializers.ChoiceField(choices=["under_week", "weeks", "months", "quarter_plus", "long"])


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="", validators=[NO_NUL])


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    job = serializers.IntegerField(source="job_id")
    job_title = serializers.CharField(source="job.title")
    proposal = serializers.IntegerField(source="proposal_id")
    client = serializers.CharField(source="client.name")
    freelancer = serializers.CharField(source="freelancer.name")
    budget_type = serializers.CharField()
    amount = MoneyField(amount="amount")
    state = serializers.CharField()
    created_at = serializers.DateTimeField()


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    job = serializers.IntegerField(source="job_id")
    job_title = serializers.CharField(source="job.title")
    # The client's name as the proposals page shows it, never an e-mail address.
    client = serializers.SerializerMethodField()
    message = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_client(self, invitation) -> str:
        profile = getattr(invitation.job.client, "client_profile", None)
        return profile.name if profile else ""


class InviteSerializer(serializers.Serializer):
    job = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="One of your open jobs' ids.")
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", validators=[NO_NUL])
