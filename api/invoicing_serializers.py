"""Read and write shapes of the invoicing and payouts API. Money is a decimal string plus its currency. A direct
client's e-mail address is taken when the client is added (invoices are sent to it) but never sent back."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import NO_NUL, TEXT_PATTERN, DecimalString, MinorMoneyField
from invoicing.models import InvoiceState, MethodKind, RecurringFrequency
from ledger.money import CURRENCY_CHOICES, from_minor
from payouts.models import BankAccountKind

CURRENCIES = [code for code, _label in CURRENCY_CHOICES]
PK_IBAN_PATTERN = r"^PK[0-9]{2}[A-Z]{4}[0-9A-Z]{16}$"
# Enough for any real invoice, small enough that 50 lines with taxes stay far inside a 64-bit total.
MAX_TAXES = 5


class StringsOnly:
    """Text is sent as a JSON string: a number or a boolean is refused (a 400), not turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChar(StringsOnly, serializers.CharField):
    pass


class StrictRegex(StringsOnly, serializers.RegexField):
    pass


class StrictEmail(StringsOnly, serializers.EmailField):
    pass


def Text(*, max_length: int, **kwargs) -> serializers.CharField:
    return StrictChar(max_length=max_length, validators=[RegexValidator(TEXT_PATTERN)], **kwargs)


def Optional(*, max_length: int) -> serializers.CharField:
    return StrictChar(max_length=max_length, required=False, allow_blank=True, default="", validators=[NO_NUL])


# --- Direct clients ----------------------------------------------------------------------------------------


class DirectClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    company = serializers.CharField()
    country = serializers.CharField()
    default_currency = serializers.CharField()
    payment_terms_days = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class DirectClientCreateSerializer(serializers.Serializer):
    name = Text(max_length=120)
    email = StrictEmail(max_length=254, help_text="Where invoices are sent; never shown by the API.")
    company = Optional(max_length=120)
    address = Optional(max_length=500)
    country = StrictRegex(r"^([A-Z]{2})?$", max_length=2, required=False, allow_blank=True, default="")
    default_currency = serializers.ChoiceField(choices=CURRENCIES, default="USD")
    payment_terms_days = serializers.IntegerField(min_value=0, max_value=365, default=15)


# --- Invoices ----------------------------------------------------------------------------------------------


class InvoiceLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, coerce_to_string=True)
    unit_price = MinorMoneyField(amount="unit_price_minor", currency="invoice.currency")
    amount = MinorMoneyField(amount="amount_minor", currency="invoice.currency")


class InvoiceTaxSerializer(serializers.Serializer):
    name = serializers.CharField()
    rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3, coerce_to_string=True)
    amount = MinorMoneyField(amount="amount_minor", currency="invoice.currency")


class InvoicePaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    received_on = serializers.DateField()
    amount = MinorMoneyField(amount="amount_minor")
    method = serializers.CharField()
    reference = serializers.CharField()
    realized_pkr = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "nullable": True, "example": "139500.00"})
    def get_realized_pkr(self, payment) -> str | None:
        minor = payment.realized_pkr_minor
        return None if minor is None else str(from_minor(minor, "PKR"))


class InvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Empty while a draft.")
    kind = serializers.CharField()
    state = serializers.CharField()
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    credit_for = serializers.IntegerField(source="credit_for_id", allow_null=True)
    currency = serializers.CharField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    subtotal = MinorMoneyField(amount="subtotal_minor")
    discount = MinorMoneyField(amount="discount_minor")
    tax = MinorMoneyField(amount="tax_minor")
    late_fee = MinorMoneyField(amount="late_fee_minor")
    total = MinorMoneyField(amount="total_minor")
    paid = MinorMoneyField(amount="paid_minor")
    credited = MinorMoneyField(amount="credited_minor")
    amount_due = MinorMoneyField(amount="amount_due_minor")
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class InvoiceDetailSerializer(InvoiceSerializer):
    notes = serializers.CharField()
    reminders_enabled = serializers.BooleanField(help_text="Reminder and late-fee e-mails are sent.")
    lines = InvoiceLineSerializer(many=True, read_only=True)
    taxes = InvoiceTaxSerializer(many=True, read_only=True)
    payments = InvoicePaymentSerializer(many=True, read_only=True)


class LineInputSerializer(serializers.Serializer):
    description = Text(max_length=300)
    quantity = DecimalString(whole_digits=6, decimal_places=3)
    unit_price = DecimalString(whole_digits=8, decimal_places=2, help_text="In the invoice's currency.")


class TaxInputSerializer(serializers.Serializer):
    name = Text(max_length=60)
    rate_percent = DecimalString(whole_digits=3, decimal_places=3, help_text="0 to 100.")


class InvoiceCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="One of your direct clients' ids.")
    currency = serializers.ChoiceField(choices=CURRENCIES)
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    lines = serializers.ListField(child=LineInputSerializer(), min_length=1, max_length=50)
    taxes = serializers.ListField(child=TaxInputSerializer(), max_length=MAX_TAXES, required=False, default=list)
    notes = Optional(max_length=2000)


class RemindersSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Send the reminder and late-fee e-mails for this invoice.")


class InvoiceListQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=InvoiceState.values, required=False, help_text="Only invoices in this state."
    )


class PaymentCreateSerializer(serializers.Serializer):
    amount = DecimalString(whole_digits=10, decimal_places=2, help_text="In the invoice's currency.")
    date = serializers.DateField(help_text="The day the money arrived.")
    method = serializers.ChoiceField(choices=MethodKind.values, default=MethodKind.BANK)
    reference = Optional(max_length=120)
    realized_pkr = DecimalString(
        whole_digits=12, decimal_places=2, required=False, allow_null=True, default=None,
        help_text="What the bank credited in rupees, for an invoice in another currency.",
    )  # fmt: skip


class CreditNoteCreateSerializer(serializers.Serializer):
    amount = DecimalString(whole_digits=10, decimal_places=2, help_text="In the invoice's currency.")
    reason = Text(max_length=2000)


# --- Recurring invoices ------------------------------------------------------------------------------------


class RecurringLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.CharField(help_text="A decimal string.")
    unit_price = serializers.CharField(help_text="A decimal string in the template's currency.")


class RecurringTaxSerializer(serializers.Serializer):
    name = serializers.CharField()
    rate_percent = serializers.CharField(source="rate", help_text="A decimal string.")


class RecurringSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    currency = serializers.CharField()
    frequency = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    max_count = serializers.IntegerField(allow_null=True)
    terms_days = serializers.IntegerField()
    lines = RecurringLineSerializer(many=True)
    taxes = RecurringTaxSerializer(many=True)
    notes = serializers.CharField()
    payment_method = serializers.IntegerField(source="payment_method_id", allow_null=True)
    issued_count = serializers.IntegerField()
    next_run_date = serializers.DateField(allow_null=True, help_text="When the next invoice goes out.")
    active = serializers.BooleanField(help_text="False once stopped or finished.")
    created_at = serializers.DateTimeField()


class RecurringCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="One of your direct clients' ids.")
    title = Text(max_length=120)
    currency = serializers.ChoiceField(choices=CURRENCIES)
    frequency = serializers.ChoiceField(choices=RecurringFrequency.values)
    start_date = serializers.DateField(help_text="The first invoice goes out on this day.")
    end_date = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text="No invoice after this day.")  # fmt: skip
    max_count = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True, default=None)
    terms_days = serializers.IntegerField(min_value=0, max_value=365, default=15)
    lines = serializers.ListField(child=LineInputSerializer(), min_length=1, max_length=50)
    taxes = serializers.ListField(child=TaxInputSerializer(), max_length=MAX_TAXES, required=False, default=list)
    notes = Optional(max_length=2000)
    payment_method = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
                                              default=None, help_text="Your payment instructions' id.")  # fmt: skip


# --- Payouts -----------------------------------------------------------------------------------------------


class BankAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    bank_name = serializers.CharField()
    iban = serializers.CharField(source="masked_iban", help_text="Masked: the first 8 and last 4 characters.")
    kind = serializers.CharField()
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()


class BankAccountCreateSerializer(serializers.Serializer):
    title = Text(max_length=120)
    # The shape is checked here (a 400); the check digits by the same validator as the page, in the service (a 409).
    iban = StrictRegex(
        PK_IBAN_PATTERN,
        max_length=24,
        help_text="A Pakistani IBAN in electronic form: PK, two check digits, a four-letter bank code, 16 digits.",
    )
    kind = serializers.ChoiceField(choices=BankAccountKind.values, default=BankAccountKind.PKR)
    currency = serializers.ChoiceField(
        choices=CURRENCIES, default="PKR", help_text="PKR for a PKR account; the account's currency for an FCY one."
    )
    bank_name = Optional(max_length=120)


class WithdrawalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bank_account = serializers.IntegerField(source="bank_account_id")
    state = serializers.CharField()
    amount = MinorMoneyField(amount="amount_minor")
    fee = MinorMoneyField(amount="fee_minor")
    expected_payout = MinorMoneyField(amount="expected_payout_minor", currency="payout_currency")
    realized = MinorMoneyField(amount="realized_pkr_minor", currency="payout_currency")
    rate_shown = serializers.DecimalField(max_digits=15, decimal_places=8, allow_null=True, coerce_to_string=True)
    failure_reason = serializers.CharField()
    requested_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class WithdrawalCreateSerializer(serializers.Serializer):
    amount = DecimalString(
        whole_digits=10, decimal_places=2, help_text="Taken from the wallet; the fee comes out of it."
    )
    currency = serializers.ChoiceField(choices=CURRENCIES, help_text="The wallet to take it from.")
    bank_account = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="One of your bank accounts' ids."
    )


class LinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()


class StatementLineSerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    kind = serializers.CharField(help_text="What the transaction was, in words.")
    memo = serializers.CharField()
    amount = serializers.CharField(help_text="A decimal string in the account's currency; negative is money out.")
    balance = serializers.CharField(help_text="The running balance after this line.")
    currency = serializers.CharField()
    link = LinkSerializer(allow_null=True, help_text="What it was for (an invoice, a milestone…), when known.")


class StatementPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="Older lines.")
    previous = serializers.CharField(allow_null=True, help_text="Newer lines.")
    results = StatementLineSerializer(many=True)
