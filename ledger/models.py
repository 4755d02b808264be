"""Accounts, transactions and postings: a double-entry ledger in integer minor units.

Sign convention (docs: MONEY.md): a posting's amount is signed, debit positive and credit negative.
Asset and expense accounts normally carry positive balances, liability, income and equity accounts
negative ones; "natural" amounts flip the sign of the latter so a wallet holding Rs 100 shows +100.

Posted transactions and postings are immutable. The ORM refuses to change them here, the admin is
read-only, and on PostgreSQL triggers (migration 0002) refuse UPDATE and DELETE as well.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.errors import ImmutableRecord
from ledger.money import CURRENCY_CHOICES, RATE_DECIMAL_PLACES, from_minor

PLATFORM_BOOK = "platform"


def minor_value(minor: int) -> Value:
    return Value(minor, output_field=models.BigIntegerField())


def sum_minor(field: str, **extra) -> Coalesce:
    """SUM of a minor-units column, 0 when there are no rows; integer on every database."""
    return Coalesce(Sum(field, **extra), minor_value(0), output_field=models.BigIntegerField())


def personal_book(user_id: int) -> str:
    return f"personal:{user_id}"


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")
    EQUITY = "equity", _("Equity")


DEBIT_NORMAL_KINDS = frozenset({AccountKind.ASSET, AccountKind.EXPENSE})


def normal_sign(kind: str) -> int:
    """+1 when the kind's balance is naturally a debit, -1 when naturally a credit."""
    return 1 if kind in DEBIT_NORMAL_KINDS else -1


# What people call an account, by the role part of its code ("freelancer:7:wallet:USD" -> wallet).
# Account codes ("personal:7:cash:payoneer:USD", "contract:12:escrow:USD") are built by ledger.chart and read
# here, so an account can name itself; the chart builds on these models, not the reverse.
@dataclass(frozen=True)
class Code:
    """A parsed account code. owner is the user, client or contract id ("" for platform accounts);
    detail is the place, source, category, client id or "withheld"."""

    book: str
    owner: str
    role: str
    detail: str
    currency: str

    @property
    def personal(self) -> bool:
        return self.book != PLATFORM_BOOK


def parse(code: str) -> Code:
    parts = code.split(":")
    currency = parts[-1]
    if parts[0] == "personal":
        return Code(personal_book(int(parts[1])), parts[1], parts[2], ":".join(parts[3:-1]), currency)
    if parts[0] == "platform":
        return Code(PLATFORM_BOOK, "", parts[1], "", currency)
    return Code(PLATFORM_BOOK, parts[1], parts[2], "", currency)


ACCOUNT_ROLE_LABELS = {
    "wallet": _("Wallet"),
    "funds": _("Client funds"),
    "escrow": _("Escrow"),
    "bank": _("Bank"),
    "payouts": _("Payouts in transit"),
    "fees": _("Platform fees"),
    "fx": _("Currency conversion"),
    "fx_gain_loss": _("Exchange gain or loss"),
    "receivable": _("Owed by clients"),
    "cash": _("Money held"),
    "income": _("Income"),
    "expense": _("Expense"),
    "tax": _("Tax"),
    "kamai": _("Kamai wallet"),
}


class Account(models.Model):
    """One account in one book and one currency. balance_minor and held_minor are caches that only the
    services in ledger.services change, inside the posting's database transaction under the row lock."""

    book = models.CharField(max_length=40, db_index=True)
    code = models.CharField(max_length=120, unique=True)
    name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    # What owns it when it is not a user: "contract:12", "platform".
    owner_ref = models.CharField(max_length=80, blank=True, db_index=True)
    no_negative = models.BooleanField(default=False, help_text=_("Its natural balance may never go below zero."))
    balance_minor = models.BigIntegerField(default=0)
    # Natural-sign amount reserved by pending holds; available = natural balance - held.
    held_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code

    @property
    def label(self) -> str:
        code = parse(self.code)
        role = ACCOUNT_ROLE_LABELS.get(code.role)
        if role is None:
            return self.name or self.code
        # "Money held · payoneer", "Expense · internet": the place or category a person named, as written.
        return f"{role} · {code.detail.replace('_', ' ')}" if code.detail else str(role)

    @property
    def sign(self) -> int:
        return normal_sign(self.kind)

    @property
    def natural_balance_minor(self) -> int:
        return self.sign * self.balance_minor

    @property
    def available_minor(self) -> int:
        return self.natural_balance_minor - self.held_minor

    @property
    def balance(self):
        return from_minor(self.natural_balance_minor, self.currency)

    @property
    def held(self):
        return from_minor(self.held_minor, self.currency)

    @property
    def available(self):
        return from_minor(self.available_minor, self.currency)


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecord(f"{self.model.__name__} rows are immutable; post a reversing transaction instead.")

    def delete(self):
        raise ImmutableRecord(f"{self.model.__name__} rows are immutable; post a reversing transaction instead.")

    def _raw_delete(self, using):
        raise ImmutableRecord(f"{self.model.__name__} rows are immutable; post a reversing transaction instead.")


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(f"{type(self).__name__} {self.pk} is posted and cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"{type(self).__name__} {self.pk} is posted and cannot be deleted.")


class Transaction(ImmutableModel):
    """A balanced set of postings in one book, made once per idempotency key.

    Indexes are kept to what reads need: every index is paid for on each insert (docs/PERFORMANCE.md)."""

    book = models.CharField(max_length=40)
    kind = models.CharField(max_length=40)
    memo = models.CharField(max_length=255, blank=True)
    # The business object it comes from: "milestone:12", "invoice:7", "import:3:row:40".
    reference = models.CharField(max_length=120, blank=True)
    idempotency_key = models.CharField(max_length=200)
    # sha256 of the content, to tell an honest replay from a reused key.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
    )
    # Conversions: the rate applied (target per source unit) and the reference rate it is measured against.
    fx_rate = models.DecimalField(max_digits=15, decimal_places=RATE_DECIMAL_PLACES, null=True, blank=True)
    fx_reference_rate = models.DecimalField(max_digits=15, decimal_places=RATE_DECIMAL_PLACES, null=True, blank=True)
    exchange_rate = models.ForeignKey("ExchangeRate", null=True, blank=True, on_delete=models.PROTECT, db_index=False)

    class Meta:
        ordering = ["created_at", "id"]
        # Plain b-trees only: db_index/unique on a CharField would add a second, pattern-ops index on
        # PostgreSQL for LIKE queries nobody runs, paid on every insert. Reads look up by key and by reference.
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="ledger_transaction_key_unique")]
        indexes = [models.Index(fields=["reference"], name="ledger_transaction_reference")]

    def __str__(self):
        return f"{self.kind} {self.idempotency_key}"


class Posting(ImmutableModel):
    """One signed leg of a transaction: debit positive, credit negative, in the account's minor units."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    # Indexed by ledger_posting_statement, which starts with the account.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", db_index=False)
    amount_minor = models.BigIntegerField()
    # Copies of the account's currency and the transaction's time: immutable, and they keep
    # per-currency sums and as-of balances to one table.
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["posted_at", "id"]
        indexes = [models.Index(fields=["account", "posted_at", "id"], name="ledger_posting_statement")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount_minor=0), name="ledger_posting_nonzero")]

    def __str__(self):
        return f"{self.account_id} {self.amount_minor:+d} {self.currency}"

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)


class HoldStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SETTLED = "settled", _("Settled")
    VOIDED = "voided", _("Voided")


class Hold(models.Model):
    """A pending two-leg transfer (TigerBeetle's pending transfer): the amount is reserved on the side whose
    natural balance would fall, then either settled into a real transaction or voided, moving nothing.
    Only ledger.services changes its status."""

    book = models.CharField(max_length=40)
    debit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holds_as_debit")
    credit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holds_as_credit")
    amount_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=10, choices=HoldStatus.choices, default=HoldStatus.PENDING, db_index=True)
    kind = models.CharField(max_length=40)
    memo = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=120, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    settlement = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="settled_hold"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="ledger_hold_positive")]

    def __str__(self):
        return f"hold {self.idempotency_key} ({self.status})"

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)

    def reserved_minor_by_account(self) -> dict[int, int]:
        """Natural-sign amount this hold reserves per account id: on the side(s) whose balance would fall."""
        reserved: dict[int, int] = {}
        # The debit leg (+amount) lowers a credit-normal account; the credit leg lowers a debit-normal one.
        if self.debit_account.sign < 0:
            reserved[self.debit_account_id] = reserved.get(self.debit_account_id, 0) + self.amount_minor
        if self.credit_account.sign > 0:
            reserved[self.credit_account_id] = reserved.get(self.credit_account_id, 0) + self.amount_minor
        return reserved


class RateSource(models.TextChoices):
    BANK = "bank", _("Bank")
    SBP = "sbp", _("State Bank of Pakistan")
    MANUAL = "manual", _("Manual")


class ExchangeRate(models.Model):
    """1 unit of base_currency = rate units of quote_currency on rate_date, per source."""

    base_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    quote_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="PKR")
    rate = models.DecimalField(max_digits=15, decimal_places=RATE_DECIMAL_PLACES)
    rate_date = models.DateField(db_index=True)
    source = models.CharField(max_length=10, choices=RateSource.choices, default=RateSource.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-rate_date", "base_currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["base_currency", "quote_currency", "rate_date", "source"], name="ledger_rate_unique_per_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="ledger_rate_positive"),
        ]

    def __str__(self):
        return f"{self.base_currency}/{self.quote_currency} {self.rate} on {self.rate_date} ({self.source})"
