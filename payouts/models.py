"""Bank accounts in Pakistan that freelancers withdraw to, and withdrawals: a ledger hold on the wallet that
staff settle (with the bank's reference, the PKR the bank credited and the PRC number) or fail (voided)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.iban import format_iban
from ledger.money import CURRENCY_CHOICES, from_minor

DEFAULT_PURPOSE_CODE = "9186"  # SBP purpose code for IT services exports: what a freelancer's payout is


class BankAccountKind(models.TextChoices):
    PKR = "pkr", _("PKR account (converted to rupees)")
    FCY = "fcy", _("Foreign currency (FCY) account")


class BankAccount(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bank_accounts")
    title = models.CharField(_("account title"), max_length=120, help_text=_("The name the bank account is in."))
    bank_name = models.CharField(_("bank"), max_length=120)
    iban = models.CharField(_("IBAN"), max_length=24)
    kind = models.CharField(_("kind"), max_length=3, choices=BankAccountKind.choices, default=BankAccountKind.PKR)
    # PKR for a PKR account; the account's own currency for an FCY account.
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="PKR")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-active", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "iban", "currency"], condition=Q(active=True), name="payouts_bank_account_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="pkr", currency="PKR") | (Q(kind="fcy") & ~Q(currency="PKR")),
                name="payouts_bank_account_kind_currency",
            ),
        ]

    def __str__(self):
        return f"{self.bank_name} {self.masked_iban}"

    @property
    def display_iban(self) -> str:
        return format_iban(self.iban)

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:8]}…{self.iban[-4:]}"


class WithdrawalState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SETTLED = "settled", _("Paid to your bank")
    FAILED = "failed", _("Failed, money returned to your wallet")


# The one table of withdrawal moves; services refuse anything else.
WITHDRAWAL_TRANSITIONS: dict[str, set[str]] = {
    WithdrawalState.REQUESTED: {WithdrawalState.SETTLED, WithdrawalState.FAILED},
    WithdrawalState.SETTLED: set(),
    WithdrawalState.FAILED: set(),
}


class Withdrawal(models.Model):
    """Money leaving a wallet for a bank account. Amounts are minor units: `amount_minor` and `fee_minor` in
    the wallet's currency (the bank is sent amount − fee); `expected_payout_minor` and `realized_pkr_minor`
    in the payout currency (PKR, or the wallet's currency for an FCY account)."""

    freelancer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals")
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="withdrawals")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField()
    fee_minor = models.BigIntegerField(default=0)
    payout_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # The rate shown when the freelancer asked (PKR per unit of `currency`); None when nothing is converted.
    rate_shown = models.DecimalField(max_digits=15, decimal_places=8, null=True, blank=True)
    exchange_rate = models.ForeignKey(
        "ledger.ExchangeRate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expected_payout_minor = models.BigIntegerField()
    state = models.CharField(
        max_length=10, choices=WithdrawalState.choices, default=WithdrawalState.REQUESTED, db_index=True
    )
    hold = models.OneToOneField("ledger.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settlement = models.OneToOneField(
        "ledger.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    realized_pkr_minor = models.BigIntegerField(null=True, blank=True)
    # PKR the bank deducted under s.154A before crediting (the PRC states it); credited against the year's tax.
    tax_withheld_minor = models.BigIntegerField(default=0)
    # Why the PKR credited is far from the expected payout, when it is (staff say so at settlement).
    variance_reason = models.CharField(max_length=300, blank=True)
    bank_reference = models.CharField(max_length=80, blank=True)
    prc_number = models.CharField(max_length=80, blank=True)
    purpose_code = models.CharField(max_length=8, default=DEFAULT_PURPOSE_CODE)
    failure_reason = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    # The key of the staff action that settled or failed it: a repeat of that action is a no-op.
    resolution_key = models.CharField(max_length=100, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payouts_withdrawal_positive"),
            models.CheckConstraint(
                condition=Q(fee_minor__gte=0) & Q(fee_minor__lt=models.F("amount_minor")),
                name="payouts_withdrawal_fee_below_amount",
            ),
            models.CheckConstraint(
                condition=~Q(state="settled") | ~Q(bank_reference=""), name="payouts_settled_has_reference"
            ),
        ]

    def __str__(self):
        return f"withdrawal {self.pk} {self.currency} ({self.state})"

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)

    @property
    def fee(self):
        return from_minor(self.fee_minor, self.currency)

    @property
    def sent(self):
        """What leaves Kamai's bank for the freelancer's, in the wallet currency."""
        return from_minor(self.amount_minor - self.fee_minor, self.currency)

    @property
    def expected_payout(self):
        return from_minor(self.expected_payout_minor, self.payout_currency)

    @property
    def realized_pkr(self):
        return None if self.realized_pkr_minor is None else from_minor(self.realized_pkr_minor, "PKR")

    @property
    def converts(self) -> bool:
        return self.payout_currency != self.currency

    @property
    def fx_difference_pkr(self):
        """Realized minus expected PKR: what the bank's actual rate gave or took versus the rate shown."""
        if not self.converts or self.realized_pkr_minor is None:
            return None
        return from_minor(self.realized_pkr_minor - self.expected_payout_minor, "PKR")

    @property
    def realized_rate(self):
        if not self.converts or self.realized_pkr_minor is None:
            return None
        return (from_minor(self.realized_pkr_minor, "PKR") / self.sent).quantize(Decimal("0.0001"))
