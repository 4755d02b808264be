from datetime import date
from decimal import Decimal

import pytest

from ledger import chart, services
from ledger.errors import CurrencyMismatch
from ledger.models import ExchangeRate, Posting
from ledger.money import MoneyError
from ledger.tests.helpers import assert_sound, deposit, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallets(user):
    usd = services.freelancer_wallet_account(freelancer=user, currency="USD")
    pkr = services.freelancer_wallet_account(freelancer=user, currency="PKR")
    deposit(usd, "100.00")
    return usd, pkr


def _sums_by_currency(transaction):
    sums = {}
    for posting in Posting.objects.filter(transaction=transaction):
        sums[posting.currency] = sums.get(posting.currency, 0) + posting.amount_minor
    return sums


def test_a_conversion_goes_through_fx_clearing_and_stores_the_rate(wallets):
    usd, pkr = wallets
    posted = services.convert_currency(
        source=usd, target=pkr, amount=Decimal("10.00"), rate=Decimal("278.455"), idempotency_key=key()
    )
    usd.refresh_from_db()
    pkr.refresh_from_db()
    assert usd.balance == Decimal("90.00")
    assert pkr.balance == Decimal("2784.55")  # 2784.55 exactly: half-even at the third decimal
    assert _sums_by_currency(posted) == {"USD": 0, "PKR": 0}
    assert posted.fx_rate == Decimal("278.455") and posted.fx_reference_rate == Decimal("278.455")
    codes = {p.account.code: p.amount_minor for p in posted.postings.select_related("account")}
    assert codes["platform:fx:USD"] == -1000 and codes["platform:fx:PKR"] == 278455
    assert_sound()


def test_a_realized_amount_books_the_fx_gain_or_loss(wallets):
    usd, pkr = wallets
    rate = ExchangeRate.objects.create(base_currency="USD", rate=Decimal("280"), rate_date=date(2025, 1, 2))
    posted = services.convert_currency(
        source=usd,
        target=pkr,
        amount=Decimal("10.00"),
        exchange_rate=rate,
        realized_amount=Decimal("2810.00"),
        idempotency_key=key(),
    )
    pkr.refresh_from_db()
    assert pkr.balance == Decimal("2810.00")
    gain_loss = services.fx_gain_loss_account(currency="PKR")
    gain_loss.refresh_from_db()
    # The platform credited Rs 10 more than the reference value: a loss (debit) for the platform book.
    assert gain_loss.balance_minor == 1000
    assert posted.fx_rate == Decimal("281") and posted.fx_reference_rate == Decimal("280")
    assert posted.exchange_rate_id == rate.pk
    assert _sums_by_currency(posted) == {"USD": 0, "PKR": 0}
    assert_sound()


def test_an_inverse_rate_converts_by_division(user):
    pkr = services.freelancer_wallet_account(freelancer=user, currency="PKR")
    usd = services.freelancer_wallet_account(freelancer=user, currency="USD")
    deposit(pkr, "2800.00")
    rate = ExchangeRate.objects.create(base_currency="USD", rate=Decimal("280"), rate_date=date(2025, 1, 2))
    services.convert_currency(
        source=pkr, target=usd, amount=Decimal("2800.00"), exchange_rate=rate, idempotency_key=key()
    )
    usd.refresh_from_db()
    assert usd.balance == Decimal("10.00")
    assert_sound()


def test_a_personal_book_remittance_with_gain(user):
    payoneer = services.personal_account(user=user, spec=chart.cash(user.pk, "payoneer", "USD"))
    bank = services.personal_account(user=user, spec=chart.cash(user.pk, "bank", "PKR"))
    income = services.personal_account(user=user, spec=chart.income(user.pk, "direct", "USD"))
    services.post_transaction(
        [(payoneer, Decimal("100")), (income, Decimal("-100"))], idempotency_key=key(), kind="test"
    )
    services.convert_currency(
        source=payoneer,
        target=bank,
        amount=Decimal("100"),
        rate=Decimal("280"),
        realized_amount=Decimal("28100"),
        idempotency_key=key(),
    )
    gain = services.fx_gain_loss_account(currency="PKR", book=payoneer.book)
    gain.refresh_from_db()
    assert gain.code == f"personal:{user.pk}:fx_gain_loss:PKR"
    assert gain.balance == Decimal("100.00")  # income, natural sign: a gain of Rs 100
    assert_sound()


def test_conversion_errors(wallets):
    usd, pkr = wallets
    other_usd = services.platform_fees_account(currency="USD")
    with pytest.raises(CurrencyMismatch, match="two different currencies"):
        services.convert_currency(
            source=usd, target=other_usd, amount=Decimal("1"), rate=Decimal("1"), idempotency_key=key()
        )
    with pytest.raises(MoneyError, match="more decimals"):
        services.convert_currency(
            source=usd, target=pkr, amount=Decimal("1.001"), rate=Decimal("280"), idempotency_key=key()
        )
    with pytest.raises(CurrencyMismatch, match="does not convert"):
        rate = ExchangeRate.objects.create(base_currency="EUR", rate=Decimal("300"), rate_date=date(2025, 1, 2))
        services.convert_currency(
            source=usd, target=pkr, amount=Decimal("1"), exchange_rate=rate, idempotency_key=key()
        )


def test_a_conversion_replays_by_key(wallets):
    usd, pkr = wallets
    arguments = {
        "source": usd,
        "target": pkr,
        "amount": Decimal("5.00"),
        "rate": Decimal("280"),
        "idempotency_key": "c1",
    }
    first = services.convert_currency(**arguments)
    assert services.convert_currency(**arguments).pk == first.pk
    usd.refresh_from_db()
    assert usd.balance == Decimal("95.00")
