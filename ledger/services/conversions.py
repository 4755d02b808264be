"""Converting between currencies through the FX clearing accounts at a stated rate."""

from decimal import Decimal

from ledger import chart
from ledger.errors import (
    BookMismatch,
    CurrencyMismatch,
    InvalidPostings,
)
from ledger.models import (
    ExchangeRate,
    Transaction,
)
from ledger.money import convert, from_minor, quantize, quantize_rate, to_minor
from ledger.services.accounts import fx_clearing_account, fx_gain_loss_account
from ledger.services.posting import post_transaction
from ledger.services.preparing import Leg, _load_accounts


def convert_currency(
    *,
    source,
    target,
    amount: Decimal,
    idempotency_key: str,
    rate: Decimal | None = None,
    exchange_rate: ExchangeRate | None = None,
    realized_amount: Decimal | None = None,
    memo: str = "",
    reference: str = "",
) -> Transaction:
    """Move `amount` out of `source` and its value into `target` (another currency, same book), through the
    book's FX clearing account in each currency so each currency sums to zero.

    The reference value is amount × rate (from `rate` or `exchange_rate`), rounded once. When the bank
    credited a different `realized_amount`, the target gets that and the difference goes to the book's FX
    gain/loss account in the target currency. The transaction stores the rate applied and the reference rate.
    """
    accounts = _load_accounts([source, target])
    src, tgt = accounts[source], accounts[target]
    if src.currency == tgt.currency:
        raise CurrencyMismatch("A conversion needs two different currencies.")
    if src.book != tgt.book:
        raise BookMismatch("A conversion's accounts must be in the same book.")
    if (rate is None) == (exchange_rate is None):
        raise InvalidPostings("Give exactly one of rate or exchange_rate.")
    if to_minor(amount, src.currency) <= 0:
        raise InvalidPostings("A conversion's amount must be positive.")
    if exchange_rate is not None:
        if (exchange_rate.base_currency, exchange_rate.quote_currency) == (src.currency, tgt.currency):
            reference_value = convert(amount, exchange_rate.rate, tgt.currency)
            reference_rate = exchange_rate.rate
        elif (exchange_rate.base_currency, exchange_rate.quote_currency) == (tgt.currency, src.currency):
            reference_value = quantize(amount / exchange_rate.rate, tgt.currency)
            reference_rate = quantize_rate(1 / exchange_rate.rate)
        else:
            raise CurrencyMismatch(f"Rate {exchange_rate} does not convert {src.currency} to {tgt.currency}.")
    else:
        if rate <= 0:
            raise InvalidPostings("A rate must be positive.")
        reference_value = convert(amount, rate, tgt.currency)
        reference_rate = quantize_rate(rate)
    realized = reference_value
    if realized_amount is not None:
        realized = from_minor(to_minor(realized_amount, tgt.currency), tgt.currency)
    if reference_value <= 0 or realized <= 0:
        raise InvalidPostings("The converted amount rounds to nothing.")
    legs = [
        Leg(src, -src.sign * amount),
        Leg(fx_clearing_account(currency=src.currency, book=src.book), src.sign * amount),
        Leg(tgt, tgt.sign * realized),
        Leg(fx_clearing_account(currency=tgt.currency, book=tgt.book), -tgt.sign * reference_value),
    ]
    if realized != reference_value:
        legs.append(
            Leg(fx_gain_loss_account(currency=tgt.currency, book=tgt.book), -tgt.sign * (realized - reference_value))
        )
    fx = {"rate": quantize_rate(realized / amount), "reference_rate": reference_rate}
    if exchange_rate is not None:
        fx["exchange_rate_id"] = exchange_rate.pk
    return post_transaction(
        legs,
        idempotency_key=idempotency_key,
        kind=chart.TxnKind.CONVERSION,
        memo=memo or f"{src.currency} → {tgt.currency}",
        reference=reference,
        _fx=fx,
    )
