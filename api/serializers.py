"""Read shapes of the API. Money is a decimal string plus its currency, never a float."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
