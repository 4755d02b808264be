"""Shapes of the books, tax and messaging API. Amounts you send are decimal strings whose pattern the schema
states exactly; what a service refuses beyond that (a currency's decimals, a future date) is a 409."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import MONEY_SCHEMA, NO_NUL, DecimalString, MinorMoneyField, Text, Upload
from books import selectors as books_selectors
from books.categories import MAX_PATTERN
from books.models import EntryKind, ExpenseCategory, ImportFormat
from ledger.money import CURRENCY_CHOICES, from_minor
from tax.models import ServiceKind

CURRENCIES = [code for code, _label in CURRENCY_CHOICES]
# An account of the freelancer's own (cash, meezan, payoneer): what books.services checks, case aside.
PLACE_PATTERN = r"^[A-Za-z0-9_-]{1,30}$"
MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"


def Place(**kwargs) -> serializers.CharField:
    from django.core.validators import RegexValidator

    return serializers.CharField(max_length=30, validators=[RegexValidator(PLACE_PATTERN)], **kwargs)


def Note(*, max_length: int) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="",
                                 validators=[NO_NUL])  # fmt: skip


@extend_schema_field(MONEY_SCHEMA)
class PkrField(serializers.Field):
    """An amount in paisa, shown as PKR money."""

    def __init__(self, *, minor: str, **kwargs):
        self.minor_attr = minor
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        minor = obj.get(self.minor_attr) if isinstance(obj, dict) else getattr(obj, self.minor_attr)
        return None if minor is None else {"amount": str(from_minor(minor, "PKR")), "currency": "PKR"}


# --- Books --------------------------------------------------------------------------------------------------


class EntryQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)
    month = serializers.RegexField(MONTH_PATTERN, required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    occurred_on = serializers.DateField()
    amount = MinorMoneyField(amount="amount_minor")
    pkr = PkrField(minor="pkr_minor", help_text="Its PKR value (null while the day's rate is missing).")
    pkr_basis = serializers.CharField()
    category = serializers.CharField()
    source = serializers.CharField()
    place = serializers.CharField()
    client = serializers.CharField()
    note = serializers.CharField(source="description")
    tax_withheld = PkrField(minor="tax_withheld_minor")
    has_receipt = serializers.SerializerMethodField()
    statement_import = serializers.IntegerField(source="statement_import_id", allow_null=True)
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_has_receipt(self, entry) -> bool:
        return bool(entry.receipt)


class ExpenseCreateSerializer(serializers.Serializer):
    occurred_on = serializers.DateField()
    amount = DecimalString(whole_digits=12, decimal_places=3, help_text="At most the currency's decimals.")
    currency = serializers.ChoiceField(choices=CURRENCIES, default="PKR")
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    place = Place(default="cash", help_text="The account it was paid from: cash, meezan, payoneer…")
    note = Note(max_length=255)


class ExpenseUploadSerializer(ExpenseCreateSerializer):
    receipt = Upload(required=False, help_text="PDF, JPEG, PNG or WebP.")


class IncomeCreateSerializer(serializers.Serializer):
    occurred_on = serializers.DateField()
    amount = DecimalString(whole_digits=12, decimal_places=3, help_text="At most the currency's decimals.")
    currency = serializers.ChoiceField(choices=CURRENCIES, default="PKR")
    client = Note(max_length=120)
    place = Place(default="bank", help_text="The account it was received into.")
    tax_withheld = DecimalString(
        whole_digits=12, decimal_places=2, required=False, help_text="PKR a Pakistani client withheld (PKR income)."
    )
    note = Note(max_length=255)


class ImportCreateSerializer(serializers.Serializer):
    file = Upload(help_text="The statement: CSV or XLSX.")
    source_format = serializers.ChoiceField(choices=["auto", *ImportFormat.values], default="auto")


class ImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_format = serializers.CharField()
    original_name = serializers.CharField()
    status = serializers.CharField()
    stalled = serializers.SerializerMethodField(help_text="A background import that stopped before finishing.")
    recognised = serializers.SerializerMethodField(help_text="The layout recognised from the columns, if any.")
    total_rows = serializers.IntegerField()
    processed_rows = serializers.IntegerField()
    percent = serializers.IntegerField()
    created_count = serializers.IntegerField()
    skipped_count = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())
    columns = serializers.SerializerMethodField(
        help_text="The file's header row, for the column mapping an unrecognised layout waits for (status mapping)."
    )
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_columns(self, imp) -> list[str]:
        return list(imp.mapping.get("columns", [])) if isinstance(imp.mapping, dict) else []

    def get_stalled(self, imp) -> bool:
        return books_selectors.statement_import_stalled(imp)

    def get_recognised(self, imp) -> str:
        return imp.mapping.get("recognised", "") if isinstance(imp.mapping, dict) else ""


def Column(**kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=200, required=False, allow_blank=True, default="", validators=[NO_NUL],
                                 **kwargs)  # fmt: skip


class ImportMappingSerializer(serializers.Serializer):
    """Which of the file's columns (its `columns`) hold what, as on the mapping page. Naming a column the file
    does not have, or neither an amount nor debit/credit columns, is the import's to refuse (a 409)."""

    date = Text(max_length=200, help_text="The date column.")
    amount = Column(help_text="One signed amount column (money in positive, out negative)…")
    debit = Column(help_text="…or the Debit / Withdrawal column (money out)…")
    credit = Column(help_text="…and the Credit / Deposit column (money in).")
    balance = Column()
    currency = Column(help_text="The currency column…")
    fixed_currency = serializers.ChoiceField(choices=["", *CURRENCIES], required=False, default="",
                                             help_text="…or the one currency the whole file is in.")  # fmt: skip
    description = Column()
    client = Column(help_text="The client or counterparty column.")
    reference = Column(help_text="The transaction ID column (best for finding duplicates).")
    date_format = serializers.ChoiceField(choices=["iso", "dmy", "mdy"], help_text="2025-01-31, 31/01/2025, 01/31/2025")
    decimal = serializers.ChoiceField(choices=["dot", "comma"], default="dot", help_text="1,234.56 or 1.234,56")
    place = Place(default="bank", help_text="Which of your accounts this statement is of.")
    save_as = Note(max_length=60)


class RecategoriseSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    learn = serializers.BooleanField(
        default=False, help_text="Also send later imported lines of the same payee to this category (a rule)."
    )


class CategoryRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pattern = serializers.CharField()
    category = serializers.CharField()
    origin = serializers.CharField(help_text="user: added by you; learned: from a category you changed.")
    created_at = serializers.DateTimeField()


class RecategorisedSerializer(serializers.Serializer):
    entry = EntrySerializer()
    rule = CategoryRuleSerializer(allow_null=True, help_text="The rule learned for this payee, with `learn`.")


class CategoryRuleCreateSerializer(serializers.Serializer):
    pattern = Text(max_length=MAX_PATTERN, help_text="Words in an expense's description, e.g. nayatel.")
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)


class ForecastItemSerializer(serializers.Serializer):
    on = serializers.DateField()
    label = serializers.CharField()
    amount = PkrField(minor="pkr_minor", help_text="Positive: money in; negative: money out.")
    basis = serializers.CharField(help_text="Where the figure comes from (recurring, budget, escrow…).")


class ForecastWeekSerializer(serializers.Serializer):
    start = serializers.DateField()
    money_in = PkrField(minor="in")
    money_out = PkrField(minor="out")
    balance = PkrField(minor="balance", help_text="The PKR balance at the end of the week.")


class ForecastSerializer(serializers.Serializer):
    today = serializers.DateField()
    opening = PkrField(minor="opening_minor", help_text="PKR you hold now: your cash accounts and PKR wallet.")
    items = ForecastItemSerializer(many=True)
    weeks = ForecastWeekSerializer(many=True)


class BudgetLineSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    budget = PkrField(minor="budget_minor", help_text="The monthly budget (zero: none).")
    spent = PkrField(minor="actual_minor", help_text="Spent this month.")
    over = serializers.BooleanField()
    percent = serializers.IntegerField(allow_null=True)


class BudgetSerializer(serializers.Serializer):
    month = serializers.DateField()
    lines = BudgetLineSerializer(many=True)


class BudgetSetSerializer(serializers.Serializer):
    """Every category's monthly PKR budget at once; a category left out (or "0") has none."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in ExpenseCategory.choices:
            self.fields[value] = DecimalString(whole_digits=12, decimal_places=2, required=False, help_text=label)


# --- Tax ----------------------------------------------------------------------------------------------------


class TaxIncomeSerializer(serializers.Serializer):
    export = PkrField(minor="export_income_minor", help_text="Foreign receipts (s.154A final tax).")
    domestic = PkrField(minor="domestic_income_minor")
    total = PkrField(minor="total_minor")


class TaxWithheldSerializer(serializers.Serializer):
    export = PkrField(minor="withheld_154a_minor", help_text="Deducted by banks on remittances (s.154A).")
    domestic = PkrField(minor="withheld_153_minor", help_text="Withheld by Pakistani clients (s.153(1)(b)).")
    total = PkrField(minor="total_minor")


class TaxEstimateSerializer(serializers.Serializer):
    fiscal_year = serializers.CharField()
    starts = serializers.DateField()
    ends = serializers.DateField()
    as_of = serializers.DateField()
    rules_from = serializers.CharField(help_text="The fiscal year whose rules the estimate uses.")
    rules_carried_forward = serializers.BooleanField()
    income = TaxIncomeSerializer()
    expenses = PkrField(minor="expenses_minor")
    tax_due = PkrField(minor="total_tax_minor", help_text="Tax on the year so far (export and domestic).")
    withheld = TaxWithheldSerializer()
    still_due = PkrField(minor="still_due_minor", help_text="Tax due less what was withheld.")
    projected_tax = PkrField(minor="projected_tax_minor", help_text="The year so far scaled to twelve months.")
    set_aside_monthly = PkrField(minor="set_aside_minor", help_text="To put aside each month left.")
    months_left = serializers.IntegerField()
    entries_missing_a_rate = serializers.IntegerField()
    disclaimer = serializers.CharField()


class RemittanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    received_on = serializers.DateField()
    amount = MinorMoneyField(amount="amount_minor")
    pkr_net = PkrField(minor="pkr_net_minor")
    tax_withheld = PkrField(minor="tax_withheld_minor")
    from_place = serializers.CharField()
    client = serializers.CharField()
    bank = serializers.CharField()
    prc_number = serializers.CharField()
    purpose_code = serializers.CharField()
    may_retain = serializers.SerializerMethodField(help_text="What it may keep in foreign currency (SBP rule).")

    @extend_schema_field(MONEY_SCHEMA)
    def get_may_retain(self, remittance):
        may_retain = getattr(remittance, "may_retain", None)
        return None if may_retain is None else {"amount": str(may_retain), "currency": remittance.currency}


class TaxStatusSerializer(serializers.Serializer):
    """Your tax status as the tax status page sets it; it drives the estimate. PUT sends every field (an empty
    date: none)."""

    service_kind = serializers.ChoiceField(choices=ServiceKind.choices, help_text="What you export.")
    atl_since = serializers.DateField(allow_null=True, help_text="On the Active Taxpayer List since.")
    atl_until = serializers.DateField(allow_null=True, help_text="Off the list from (null: still on it).")
    pseb_registered_on = serializers.DateField(allow_null=True, help_text="PSEB registration date.")


class RemittanceCreateSerializer(serializers.Serializer):
    received_on = serializers.DateField(help_text="The day the bank credited it.")
    amount = DecimalString(whole_digits=12, decimal_places=3, help_text="The foreign amount sent.")
    currency = serializers.ChoiceField(choices=[code for code in CURRENCIES if code != "PKR"])
    pkr_net = DecimalString(whole_digits=12, decimal_places=2, help_text="PKR credited to your account.")
    tax_withheld = DecimalString(whole_digits=12, decimal_places=2, required=False,
                                 help_text="PKR the bank withheld (s.154A).")  # fmt: skip
    from_place = Place(default="payoneer", help_text="Sent from: payoneer, wise, or direct (the client paid).")
    client = Note(max_length=120)
    bank = Note(max_length=80)
    prc_number = Note(max_length=40)
    purpose_code = serializers.RegexField(r"^[0-9]{0,8}$", required=False, allow_blank=True, default="",
                                          help_text="Digits only, like 9186 (IT export).")  # fmt: skip


class PrcUpdateSerializer(serializers.Serializer):
    """A field left out keeps its value; an empty one clears it."""

    prc_number = serializers.CharField(max_length=40, required=False, allow_blank=True, validators=[NO_NUL])
    purpose_code = serializers.RegexField(r"^[0-9]{0,8}$", required=False, allow_blank=True,
                                          help_text="Digits only, like 9186 (IT export).")  # fmt: skip


# --- Messages -----------------------------------------------------------------------------------------------


class ConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # The other person's display name, never an e-mail address.
    other_party = serializers.SerializerMethodField()
    job = serializers.IntegerField(source="job_id", allow_null=True)
    job_title = serializers.SerializerMethodField()
    contract = serializers.IntegerField(source="contract_id", allow_null=True)
    unread = serializers.IntegerField()
    last_message_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_other_party(self, conversation) -> str:
        return conversation.other_party(self.context["request"].user).name

    def get_job_title(self, conversation) -> str:
        return conversation.job.title if conversation.job_id else ""


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sender = serializers.CharField(source="sender.name")
    mine = serializers.SerializerMethodField()
    body = serializers.CharField()
    attachment_name = serializers.CharField()
    attachment_size = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_mine(self, message) -> bool:
        return message.sender_id == self.context["request"].user.pk


class MessageCreateSerializer(serializers.Serializer):
    body = Text(max_length=5000)
