"""What every books service shares: fingerprints and ledger keys, checks of amount, date and place, the
freelancer's personal-book accounts, the PKR value on a date, and the caller's idempotency key."""

import hashlib
import re
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.models import (
    Entry,
    PkrBasis,
)
from books.rates import RateBook
from contracts.action_keys import claim_action_key
from ledger import chart
from ledger.models import Account
from ledger.money import MINOR_UNITS, MoneyError, to_minor
from ledger.services import personal_account

PLACE_RE = re.compile(r"^[a-z0-9_-]{1,30}$")


MAX_DAYS_AHEAD = 1


def fingerprint(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def ledger_key(user, kind: str, fp: str) -> str:
    return f"books:{user.pk}:{kind}:{fp}"


def recategorise_reference(entry_id: int) -> str:
    """The reference of every transaction that moved this entry to another expense category."""
    return f"books:entry:{entry_id}:category"


def _check_amount(amount, currency: str) -> int:
    if currency not in MINOR_UNITS:
        raise BooksError(_("Unknown currency %(currency)s.") % {"currency": currency})
    try:
        minor = to_minor(amount, currency)
    except MoneyError as error:
        raise BooksError(str(error)) from None
    if minor <= 0:
        raise BooksError(_("The amount must be more than zero."))
    return minor


def _check_date(on: date) -> None:
    if on > timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD):
        raise BooksError(_("The date %(date)s is in the future.") % {"date": on.isoformat()})


def _check_place(place: str) -> str:
    place = (place or "").strip().lower()
    if not PLACE_RE.match(place):
        raise BooksError(_("Name the account with letters, digits, - or _ (for example payoneer, meezan)."))
    return place


def cash(user, place: str, currency: str) -> Account:
    return personal_account(user=user, spec=chart.cash(user.pk, place, currency))


def income_account(user, source: str, currency: str) -> Account:
    return personal_account(user=user, spec=chart.income(user.pk, source, currency))


def expense_account(user, category: str, currency: str) -> Account:
    return personal_account(user=user, spec=chart.expense(user.pk, category, currency))


def tax_withheld_account(user) -> Account:
    return personal_account(user=user, spec=chart.tax_withheld(user.pk))


def _pkr(amount: Decimal, currency: str, on: date) -> tuple[int | None, str, Decimal | None]:
    if currency == "PKR":
        return to_minor(amount, "PKR"), PkrBasis.PKR, None
    pkr_minor, rate = RateBook([currency], until=on).pkr_minor(amount, currency, on)
    return pkr_minor, (PkrBasis.REFERENCE if rate is not None else PkrBasis.MISSING), rate


def _replayed(user, fp: str) -> Entry | None:
    return Entry.objects.filter(user=user, fingerprint=fp).first()


def _claim(key: str, user, action: str, request: dict) -> bool:
    # The key with this request's fingerprint: a different request under a used key is refused.
    return claim_action_key(key, user=user, action=action, object_id=None, params=request, error=BooksError)
