"""The chart of accounts and the transaction kinds: the one module that builds and reads account codes.

An account code names the book, the owner, the role and the currency, colon-separated:

    platform:bank:USD                  platform book, Kamai's bank or provider account
    client:<id>:funds:USD              platform book, a client's prepaid balance
    contract:<id>:escrow:USD           platform book, held for one contract
    freelancer:<id>:wallet:USD         platform book, earned and withdrawable
    platform:payouts:USD · platform:fees:USD · platform:fx:USD · platform:fx_gain_loss:PKR
    personal:<user>:<role>[:<detail>]:<CUR>   a freelancer's own book (MONEY.md): receivable:<client>,
                                       cash:<place>, income:<source>, expense:<category>, tax:withheld,
                                       kamai:wallet (what arrived from the Kamai wallet), fx, fx_gain_loss

Other modules call these builders and `parse`; none of them splits or glues codes itself.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from ledger.models import PLATFORM_BOOK, AccountKind, Code, parse, personal_book  # noqa: F401 (the chart reads codes)


def person_id(account, code: Code | None = None) -> int | None:
    """The user an account belongs to: its owner (wallets, client funds), or the user whose personal book holds
    it; None for the platform's own accounts. `code` is the account's parsed code, if the caller has it."""
    if account.owner_id:
        return account.owner_id
    if account.book == PLATFORM_BOOK:
        return None
    code = code or parse(account.code)
    return int(code.owner) if code.personal else None


class TxnKind(models.TextChoices):
    """Every kind of transaction the ledger holds; `Transaction.kind` takes only these."""

    PAYIN = "payin", _("Client pay-in")
    ESCROW_FUND = "escrow_fund", _("Milestone funded")
    ESCROW_RELEASE = "escrow_release", _("Milestone released")
    ESCROW_REFUND = "escrow_refund", _("Refund to client")
    HOURLY_BILL = "hourly_bill", _("Hourly week billed")
    DISPUTE_DECISION = "dispute_decision", _("Dispute decided")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    WITHDRAWAL_PAID = "withdrawal_paid", _("Withdrawal paid by the bank")
    WITHDRAWAL_REMITTANCE = "withdrawal_remittance", _("Withdrawal credited to the freelancer's bank")
    CONVERSION = "conversion", _("Currency conversion")
    REVERSAL = "reversal", _("Reversal")
    INVOICE_ISSUE = "invoice_issue", _("Invoice issued")
    INVOICE_PAYMENT = "invoice_payment", _("Invoice payment")
    INVOICE_CREDIT_NOTE = "invoice_credit_note", _("Credit note")
    INVOICE_LATE_FEE = "invoice_late_fee", _("Invoice late fee")
    INVOICE_WRITE_OFF = "invoice_write_off", _("Invoice written off")
    BOOKS_EXPENSE = "books_expense", _("Expense")
    BOOKS_INCOME = "books_income", _("Income")
    BOOKS_REMITTANCE = "books_remittance", _("Remittance")
    BOOKS_IMPORT = "books_import", _("Statement import row")
    BOOKS_TRANSFER = "books_transfer", _("Transfer between own accounts")
    BOOKS_RECONCILE = "books_reconcile", _("Provider withdrawal matched to its bank credit")
    BOOKS_RECATEGORISE = "books_recategorise", _("Expense moved to another category")
    TEST = "test", _("Test")


# Kinds whose book entries the books app writes itself, with the facts only it knows (receipt, category,
# client, statement row); every other kind is projected from its postings (books.projection).
BOOKS_OWN_KINDS = frozenset(
    {
        TxnKind.BOOKS_EXPENSE,
        TxnKind.BOOKS_INCOME,
        TxnKind.BOOKS_REMITTANCE,
        TxnKind.BOOKS_IMPORT,
        TxnKind.BOOKS_TRANSFER,
        TxnKind.BOOKS_RECONCILE,
        TxnKind.BOOKS_RECATEGORISE,
        TxnKind.WITHDRAWAL_REMITTANCE,
    }
)


class Role(models.TextChoices):
    BANK = "bank"
    FUNDS = "funds"
    ESCROW = "escrow"
    WALLET = "wallet"
    PAYOUTS = "payouts"
    FEES = "fees"
    FX = "fx"
    FX_GAIN_LOSS = "fx_gain_loss"
    RECEIVABLE = "receivable"
    CASH = "cash"
    INCOME = "income"
    EXPENSE = "expense"
    TAX = "tax"
    KAMAI = "kamai"


@dataclass(frozen=True)
class Spec:
    """Everything needed to create an account: its code, book, kind and how it may move."""

    code: str
    book: str
    kind: str
    currency: str
    owner_ref: str = ""
    no_negative: bool = False
    name: str = ""


# --- Platform book --------------------------------------------------------------------------------------


def platform_bank(currency: str) -> Spec:
    return Spec(f"platform:bank:{currency}", PLATFORM_BOOK, AccountKind.ASSET, currency, "platform")


def client_funds(client_id: int, currency: str) -> Spec:
    return Spec(f"client:{client_id}:funds:{currency}", PLATFORM_BOOK, AccountKind.LIABILITY, currency, "", True)


def contract_escrow(contract_id: int, currency: str) -> Spec:
    return Spec(
        f"contract:{contract_id}:escrow:{currency}",
        PLATFORM_BOOK,
        AccountKind.LIABILITY,
        currency,
        f"contract:{contract_id}",
        True,
    )


def freelancer_wallet(user_id: int, currency: str) -> Spec:
    return Spec(f"freelancer:{user_id}:wallet:{currency}", PLATFORM_BOOK, AccountKind.LIABILITY, currency, "", True)


def wallet_prefix(user_id: int) -> str:
    """The start every wallet code of this freelancer shares, for prefix queries."""
    return f"freelancer:{user_id}:wallet:"


def platform_payouts(currency: str) -> Spec:
    return Spec(f"platform:payouts:{currency}", PLATFORM_BOOK, AccountKind.LIABILITY, currency, "platform")


def platform_fees(currency: str) -> Spec:
    return Spec(f"platform:fees:{currency}", PLATFORM_BOOK, AccountKind.INCOME, currency, "platform")


def _book_prefix(book: str) -> str:
    return "platform" if book == PLATFORM_BOOK else book


def fx_clearing(currency: str, book: str = PLATFORM_BOOK) -> Spec:
    return Spec(f"{_book_prefix(book)}:fx:{currency}", book, AccountKind.EQUITY, currency, book)


def fx_gain_loss(currency: str, book: str = PLATFORM_BOOK) -> Spec:
    return Spec(f"{_book_prefix(book)}:fx_gain_loss:{currency}", book, AccountKind.INCOME, currency, book)


# --- A freelancer's personal book -----------------------------------------------------------------------


def personal_prefix(user_id: int, role: str) -> str:
    return f"{personal_book(user_id)}:{role}:"


def _personal(user_id: int, path: str, kind: str, currency: str) -> Spec:
    return Spec(f"{personal_book(user_id)}:{path}:{currency}", personal_book(user_id), kind, currency)


def receivable(user_id: int, client_id: int, currency: str) -> Spec:
    return _personal(user_id, f"{Role.RECEIVABLE}:{client_id}", AccountKind.ASSET, currency)


def cash(user_id: int, place: str, currency: str) -> Spec:
    return _personal(user_id, f"{Role.CASH}:{place}", AccountKind.ASSET, currency)


def income(user_id: int, source: str, currency: str) -> Spec:
    return _personal(user_id, f"{Role.INCOME}:{source}", AccountKind.INCOME, currency)


def expense(user_id: int, category: str, currency: str) -> Spec:
    return _personal(user_id, f"{Role.EXPENSE}:{category}", AccountKind.EXPENSE, currency)


def tax_withheld(user_id: int) -> Spec:
    return _personal(user_id, f"{Role.TAX}:withheld", AccountKind.ASSET, "PKR")


def kamai_wallet_drawn(user_id: int, currency: str) -> Spec:
    """What the freelancer drew from the Kamai wallet into their own book (equity: it was already counted as
    income when the wallet was credited, in the platform book)."""
    return _personal(user_id, f"{Role.KAMAI}:wallet", AccountKind.EQUITY, currency)
