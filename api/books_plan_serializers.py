"""Shapes of the books' corrections and plans through the API: a forecast's recurring item (the forecast
page's form) and the reconcile page's proposed matches and decisions."""

from rest_framework import serializers

from api.books_serializers import CURRENCIES, PkrField
from api.serializers import DecimalString, MinorMoneyField, Text
from books.models import ExpenseCategory, MatchKind


class RecurringItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    category = serializers.CharField(help_text="An expense's category; empty for income.")
    amount = MinorMoneyField(amount="amount_minor")
    day_of_month = serializers.IntegerField()


class RecurringItemCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["expense", "income"])
    label = Text(max_length=80)
    category = serializers.ChoiceField(choices=ExpenseCategory.choices, allow_blank=True, required=False,
                                       default="", help_text="Needed for an expense.")  # fmt: skip
    amount = DecimalString(whole_digits=12, decimal_places=3, help_text="At most the currency's decimals.")
    currency = serializers.ChoiceField(choices=CURRENCIES, default="PKR")
    day_of_month = serializers.IntegerField(min_value=1, max_value=28)


class MatchProposalSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`provider` (a Payoneer or Wise withdrawal) or `kamai` (a Kamai one).")
    bank_entry = serializers.IntegerField(source="bank_entry.pk", help_text="The PKR credit in your bank statement.")
    other = serializers.IntegerField(source="other_id", help_text="The withdrawal's entry, or the Kamai remittance.")
    description = serializers.CharField(source="bank_entry.description")
    occurred_on = serializers.DateField(source="bank_entry.occurred_on")
    credited = PkrField(minor="credited_minor")
    expected = PkrField(minor="expected_pkr_minor")


class MatchDecisionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MatchKind.values)
    bank_entry = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    other = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    decision = serializers.ChoiceField(choices=["confirm", "reject"])


class BankMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    bank_entry = serializers.IntegerField(source="bank_entry_id")
    withdrawal_entry = serializers.IntegerField(source="withdrawal_entry_id", allow_null=True)
    kamai_remittance = serializers.IntegerField(source="kamai_remittance_id", allow_null=True)
    remittance = serializers.IntegerField(
        source="remittance_id", allow_null=True, help_text="The remittance a confirmed provider match recorded."
    )
    created_at = serializers.DateTimeField()
