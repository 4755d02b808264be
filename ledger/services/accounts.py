"""Finding or opening an account: by chart spec and owner, and the named accounts other apps post to."""

from ledger import chart
from ledger.errors import (
    InvalidPostings,
    UnknownAccount,
)
from ledger.models import (
    PLATFORM_BOOK,
    Account,
    AccountKind,
    personal_book,
)
from ledger.money import check_currency


def account_get_or_create(
    *,
    code: str,
    book: str,
    kind: str,
    currency: str,
    owner=None,
    owner_ref: str = "",
    no_negative: bool = False,
    name: str = "",
) -> Account:
    """The account with this code, created on first use. Refuses to return an account whose stored
    book, kind or currency differ from what the caller expects."""
    check_currency(currency)
    if kind not in AccountKind.values:
        raise InvalidPostings(f"Unknown account kind {kind!r}.")
    account, _created = Account.objects.get_or_create(
        code=code,
        defaults={
            "book": book,
            "kind": kind,
            "currency": currency,
            "owner": owner,
            "owner_ref": owner_ref,
            "no_negative": no_negative,
            "name": name or code,
        },
    )
    if (account.book, account.kind, account.currency) != (book, kind, currency):
        raise UnknownAccount(
            f"Account {code} exists as {account.kind} {account.currency} in book {account.book}, "
            f"not {kind} {currency} in {book}."
        )
    return account


def account_for(spec: chart.Spec, *, owner=None) -> Account:
    """The account a chart-of-accounts spec describes, created on first use."""
    return account_get_or_create(
        code=spec.code,
        book=spec.book,
        kind=spec.kind,
        currency=spec.currency,
        owner=owner,
        owner_ref=spec.owner_ref,
        no_negative=spec.no_negative,
        name=spec.name or spec.code,
    )


def platform_bank_account(*, currency: str) -> Account:
    return account_for(chart.platform_bank(currency))


def client_funds_account(*, client, currency: str) -> Account:
    return account_for(chart.client_funds(client.pk, currency), owner=client)


def contract_escrow_account(*, contract_id: int, currency: str) -> Account:
    return account_for(chart.contract_escrow(contract_id, currency))


def freelancer_wallet_account(*, freelancer, currency: str) -> Account:
    return account_for(chart.freelancer_wallet(freelancer.pk, currency), owner=freelancer)


def platform_payouts_account(*, currency: str) -> Account:
    return account_for(chart.platform_payouts(currency))


def platform_fees_account(*, currency: str) -> Account:
    return account_for(chart.platform_fees(currency))


def fx_clearing_account(*, currency: str, book: str = PLATFORM_BOOK) -> Account:
    """The per-currency clearing account conversions pass through, so each currency still sums to zero."""
    return account_for(chart.fx_clearing(currency, book))


def fx_gain_loss_account(*, currency: str, book: str = PLATFORM_BOOK) -> Account:
    return account_for(chart.fx_gain_loss(currency, book))


def personal_account(*, user, spec: chart.Spec) -> Account:
    """An account in the user's personal book, from a chart spec (chart.cash, chart.income, ...)."""
    if spec.book != personal_book(user.pk):
        raise UnknownAccount(f"{spec.code} is not in {personal_book(user.pk)}.")
    return account_for(spec, owner=user)
