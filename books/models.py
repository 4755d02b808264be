"""The freelancer's books: entries (income, expenses, transfers) with their original currency and PKR value,
remittances with their PRC, statement imports, budgets and recurring items.

Money is integer minor units; every entry that moves money has the ledger transaction that moved it. Entries
with origin "ledger" mirror what other apps posted (contract releases into the Kamai wallet, invoices), so the
book is the union of the platform wallet and the personal book without posting anything twice.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.money import CURRENCY_CHOICES, RATE_DECIMAL_PLACES, from_minor


class EntryKind(models.TextChoices):
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")
    TRANSFER = "transfer", _("Transfer")


class ExpenseCategory(models.TextChoices):
    INTERNET = "internet", _("Internet")
    EQUIPMENT = "equipment", _("Equipment")
    SOFTWARE = "software", _("Software")
    COWORKING = "coworking", _("Co-working")
    ELECTRICITY = "electricity", _("Electricity")
    FEES = "fees", _("Bank and platform fees")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    PAYONEER = "payoneer", _("Payoneer")
    WISE = "wise", _("Wise")
    UPWORK = "upwork", _("Upwork")
    FIVERR = "fiverr", _("Fiverr")
    CSV = "csv", _("CSV file")
    KAMAI = "kamai", _("Kamai contracts")
    INVOICES = "invoices", _("Kamai invoices")
    BANK = "bank", _("Bank remittance")
    FX = "fx", _("Exchange gain or loss")


class PkrBasis(models.TextChoices):
    PKR = "pkr", _("In PKR")
    REALIZED = "realized", _("Realized: what the bank credited")
    REFERENCE = "reference", _("Reference rate of the day")
    MISSING = "missing", _("No rate for that day yet")


class Origin(models.TextChoices):
    BOOKS = "books", _("Books")
    LEDGER = "ledger", _("Kamai ledger")


def receipt_upload_to(instance, filename):
    return f"books/receipts/{instance.user_id}/{timezone.now():%Y%m}/{filename}"


class Entry(models.Model):
    """One line of the book. amount_minor is in the entry's currency, natural sign (income and expenses
    positive; a reversal negative); pkr_minor is its PKR value and pkr_basis says where that came from."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="book_entries")
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.BOOKS)
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    occurred_on = models.DateField(_("date"))
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    pkr_minor = models.BigIntegerField(null=True, blank=True)
    pkr_basis = models.CharField(max_length=10, choices=PkrBasis.choices)
    fx_rate = models.DecimalField(max_digits=15, decimal_places=RATE_DECIMAL_PLACES, null=True, blank=True)
    category = models.CharField(_("category"), max_length=12, choices=ExpenseCategory.choices, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    place = models.CharField(max_length=40, blank=True)
    client = models.CharField(_("client"), max_length=120, blank=True)
    description = models.CharField(_("note"), max_length=255, blank=True)
    # PKR a Pakistani client withheld under s.153(1)(b), credited against the year's tax.
    tax_withheld_minor = models.BigIntegerField(default=0)
    receipt = models.FileField(upload_to=receipt_upload_to, blank=True)
    receipt_content_type = models.CharField(max_length=40, blank=True)
    fingerprint = models.CharField(max_length=64)
    transaction = models.ForeignKey(
        "ledger.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    statement_import = models.ForeignKey(
        "StatementImport", null=True, blank=True, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    # The entry a reversal (void, deletion, correction) undoes; its amounts are that entry's, negated.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = "entries"
        constraints = [models.UniqueConstraint(fields=["user", "fingerprint"], name="books_entry_fingerprint")]
        indexes = [
            models.Index(fields=["user", "occurred_on", "id"], name="books_entry_user_date"),
            models.Index(fields=["transaction"], name="books_entry_transaction"),
            models.Index(
                fields=["pkr_basis"], name="books_entry_missing_rate", condition=models.Q(pkr_basis="missing")
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} on {self.occurred_on}"

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)

    @property
    def pkr(self):
        return None if self.pkr_minor is None else from_minor(self.pkr_minor, "PKR")

    @property
    def tax_withheld(self):
        return from_minor(self.tax_withheld_minor, "PKR")


class MonthTotal(models.Model):
    """The book summed by month: what every entry of a month adds to each total the books and tax pages show,
    so that those pages read a few hundred rows, not the whole history. A read model of Entry, written in the
    same database transaction as the entries (books.month_totals); a test checks it equals a GROUP BY."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField()  # the first day
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    source = models.CharField(max_length=10, choices=Source.choices)
    category = models.CharField(max_length=12, choices=ExpenseCategory.choices, blank=True)
    client = models.CharField(max_length=120, blank=True)
    entries = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)
    pkr_minor = models.BigIntegerField(default=0)  # entries without a PKR value add nothing
    withheld_minor = models.BigIntegerField(default=0)
    missing = models.BigIntegerField(default=0)  # entries whose PKR value waits for a rate

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "month", "kind", "currency", "source", "category", "client"],
                name="books_monthtotal_key",
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.month:%Y-%m} {self.kind} {self.currency}"


class Remittance(models.Model):
    """Foreign proceeds the bank converted to PKR: what arrived, what it credited, the tax it withheld
    under s.154A, and the Proceeds Realization Certificate the bank issued for it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="remittances")
    received_on = models.DateField(_("date credited"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    amount_minor = models.BigIntegerField()
    pkr_net_minor = models.BigIntegerField()
    tax_withheld_minor = models.BigIntegerField(default=0)
    from_place = models.CharField(_("sent from"), max_length=40)
    client = models.CharField(_("client"), max_length=120, blank=True)
    bank = models.CharField(_("bank"), max_length=80, blank=True)
    prc_number = models.CharField(_("PRC number"), max_length=40, blank=True)
    purpose_code = models.CharField(_("purpose code"), max_length=8, blank=True)
    transaction = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+", db_index=False)
    entry = models.OneToOneField(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="remittance")
    # A Kamai withdrawal the bank credited: the remittance is written with its settlement, never typed again.
    withdrawal = models.OneToOneField(
        "payouts.Withdrawal", null=True, blank=True, on_delete=models.PROTECT, related_name="remittance"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["user", "received_on"], name="books_remit_user_date")]

    def __str__(self):
        return f"{self.amount} {self.currency} on {self.received_on}"

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)

    @property
    def pkr_net(self):
        return from_minor(self.pkr_net_minor, "PKR")

    @property
    def tax_withheld(self):
        return from_minor(self.tax_withheld_minor, "PKR")

    @property
    def pkr_gross_minor(self) -> int:
        return self.pkr_net_minor + self.tax_withheld_minor

    @property
    def pkr_gross(self):
        return from_minor(self.pkr_gross_minor, "PKR")


class ImportFormat(models.TextChoices):
    PAYONEER = "payoneer", "Payoneer"
    WISE = "wise", "Wise"
    UPWORK = "upwork", "Upwork"
    FIVERR = "fiverr", "Fiverr"
    CSV = "csv", _("Other CSV (choose the columns)")


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Waiting for the column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


def import_upload_to(instance, filename):
    return f"books/imports/{instance.user_id}/{timezone.now():%Y%m%d%H%M%S}.csv"


class StatementImport(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statement_imports")
    source_format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    original_name = models.CharField(max_length=255, blank=True)
    file = models.FileField(upload_to=import_upload_to)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    mapping = models.JSONField(default=dict, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    background = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.source_format} import {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return self.processed_rows * 100 // self.total_rows


class Budget(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budgets")
    category = models.CharField(max_length=12, choices=ExpenseCategory.choices)
    monthly_pkr_minor = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="books_budget_one_per_category")]

    def __str__(self):
        return f"{self.category}: {self.monthly_pkr}"

    @property
    def monthly_pkr(self):
        return from_minor(self.monthly_pkr_minor, "PKR")


class RecurringItem(models.Model):
    """Money expected every month on a day: rent, a retainer. Feeds the cash-flow forecast only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recurring_items")
    kind = models.CharField(max_length=10, choices=[(EntryKind.INCOME, _("Income")), (EntryKind.EXPENSE, _("Expense"))])
    label = models.CharField(_("label"), max_length=80)
    category = models.CharField(max_length=12, choices=ExpenseCategory.choices, blank=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    day_of_month = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["day_of_month", "id"]

    def __str__(self):
        return self.label

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)


class MatchKind(models.TextChoices):
    PROVIDER = "provider", _("Payoneer or Wise withdrawal")
    KAMAI = "kamai", _("Kamai withdrawal")


class MatchStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class BankMatch(models.Model):
    """The freelancer's decision on a proposed reconciliation: a PKR credit in an imported bank statement is
    the same money as a provider withdrawal (withdrawal_entry) or a settled Kamai withdrawal
    (kamai_remittance). A rejected pair is not proposed again; a credit, a withdrawal or a Kamai remittance is
    confirmed at most once (the partial unique constraints, checked under row locks by books.reconciliation)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=MatchKind.choices)
    status = models.CharField(max_length=10, choices=MatchStatus.choices)
    bank_entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    withdrawal_entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kamai_remittance = models.ForeignKey(Remittance, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The remittance a confirmed provider match created (with its PRC to come).
    remittance = models.OneToOneField(
        Remittance, null=True, blank=True, on_delete=models.PROTECT, related_name="bank_match"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bank_entry"], condition=models.Q(status="confirmed"), name="books_match_credit_once"
            ),
            models.UniqueConstraint(
                fields=["withdrawal_entry"],
                condition=models.Q(status="confirmed"),
                name="books_match_withdrawal_once",
            ),
            models.UniqueConstraint(
                fields=["kamai_remittance"],
                condition=models.Q(status="confirmed"),
                name="books_match_kamai_once",
            ),
            models.UniqueConstraint(fields=["bank_entry", "withdrawal_entry"], name="books_match_provider_pair"),
            models.UniqueConstraint(fields=["bank_entry", "kamai_remittance"], name="books_match_kamai_pair"),
            models.CheckConstraint(
                condition=models.Q(withdrawal_entry__isnull=False, kamai_remittance__isnull=True)
                | models.Q(withdrawal_entry__isnull=True, kamai_remittance__isnull=False),
                name="books_match_one_side",
            ),
        ]

    def __str__(self):
        return f"{self.kind} match {self.pk} ({self.status})"


class MappingPreset(models.Model):
    """A generic CSV column mapping the freelancer saved under a name (their bank's export), offered on the
    mapping page and applied by itself to a new file whose header row is the same."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mapping_presets")
    name = models.CharField(_("name"), max_length=60)
    columns = models.JSONField(default=list)  # the header row it was made for
    mapping = models.JSONField(default=dict)  # as books.statements.check_mapping returns it, with "place"
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="books_preset_name_per_user")]

    def __str__(self):
        return self.name

    @staticmethod
    def header_key(columns) -> list[str]:
        return [str(column).strip().lower() for column in columns]


class RuleOrigin(models.TextChoices):
    BUILT_IN = "built_in", _("Built in")
    USER = "user", _("Added by you")
    LEARNED = "learned", _("Learned from your change")


class CategoryRule(models.Model):
    """A freelancer's rule: an outflow whose description contains `pattern` is an expense of `category`.
    Patterns are stored normalised (books.categories.normalise); the built-in rules live in code, not here, and
    these take precedence over them (books.categories)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="category_rules")
    pattern = models.CharField(_("words in the description"), max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=ExpenseCategory.choices)
    origin = models.CharField(max_length=8, choices=RuleOrigin.choices, default=RuleOrigin.USER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pattern"]
        constraints = [
            models.UniqueConstraint(fields=["user", "pattern"], name="books_rule_pattern_per_user"),
            models.CheckConstraint(condition=~models.Q(pattern=""), name="books_rule_pattern_not_empty"),
            models.CheckConstraint(condition=models.Q(origin__in=["user", "learned"]), name="books_rule_stored_origin"),
        ]

    def __str__(self):
        return f"{self.pattern} → {self.category}"
