"""Set-up shared by this app's tests."""

from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from invoicing import services
from ledger.models import Account, personal_book

TODAY = timezone.localdate


def balance(user, path, currency="USD"):
    account = Account.objects.filter(code=f"{personal_book(user.pk)}:{path}:{currency}").first()
    return account.balance if account else Decimal("0.00")


def pay(invoice, amount, key, **kwargs):
    kwargs.setdefault("currency", invoice.currency)
    kwargs.setdefault("method", "wise")
    kwargs.setdefault("received_on", TODAY())
    return services.payment_record(
        invoice=invoice, freelancer=invoice.freelancer, amount=Decimal(amount), idempotency_key=key, **kwargs
    )


def assert_ledger_ok():
    call_command("ledger_check")  # exits non-zero (SystemExit) when any invariant is broken
