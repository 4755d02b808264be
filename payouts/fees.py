"""What a withdrawal costs and the least one can ask for, per wallet currency: stated once, here, and shown on
the form before the freelancer submits.

Kamai's fee is flat per withdrawal, in the wallet's currency, taken only when the bank transfer succeeds (a
failed withdrawal returns everything); it pays the outgoing wire. The freelancer's own bank may charge its
own fee on arrival, which Kamai neither sees nor takes."""

from decimal import Decimal

from django.conf import settings

from ledger.money import to_minor

WITHDRAWAL_FEES: dict[str, str] = {
    "USD": "1.00",
    "EUR": "1.00",
    "GBP": "1.00",
    "CAD": "1.50",
    "AUD": "1.50",
    "AED": "4.00",
    "SAR": "4.00",
    "PKR": "0.00",  # a rupee wallet goes out by local transfer (IBFT/RAAST), which costs Kamai nothing
}

# Used only for a currency that settings.KAMAI_MIN_WITHDRAWAL does not name.
FALLBACK_MINIMUMS: dict[str, str] = {"CAD": "15", "AUD": "15", "SAR": "40"}


def withdrawal_fee_minor(currency: str) -> int:
    return to_minor(Decimal(WITHDRAWAL_FEES.get(currency, "0")), currency)


def minimum_withdrawal_minor(currency: str) -> int:
    configured = getattr(settings, "KAMAI_MIN_WITHDRAWAL", {}).get(currency) or FALLBACK_MINIMUMS.get(currency, "0")
    # Never below the fee plus one unit: a withdrawal must send something.
    return max(to_minor(Decimal(configured), currency), withdrawal_fee_minor(currency) + 100)
