from datetime import date
from decimal import Decimal

from books import services
from books.models import PkrBasis
from ledger.checks import ledger_problems

D = Decimal


def test_remittance_from_payoneer_posts_the_money_md_recipe(freelancer, rates):
    remittance = services.remittance_record(
        user=freelancer, received_on=date(2025, 8, 2), currency="USD", amount=D("1000.00"), pkr_net=D("280299.75"),
        tax_withheld=D("700.25"), from_place="payoneer", bank="Meezan", prc_number="PRC-1", purpose_code="9186",
        idempotency_key="r1",
    )  # fmt: skip
    assert remittance.pkr_gross == D("281000.00") and remittance.entry is None
    legs = {p.account.code: p.amount_minor for p in remittance.transaction.postings.select_related("account")}
    book = f"personal:{freelancer.pk}"
    assert legs == {
        f"{book}:cash:bank:PKR": 28029975, f"{book}:tax:withheld:PKR": 70025, f"{book}:fx:PKR": -28100000,
        f"{book}:fx:USD": 100000, f"{book}:cash:payoneer:USD": -100000,
    }  # fmt: skip
    assert ledger_problems() == []


def test_direct_remittance_is_income_at_the_realized_rupees(freelancer, rates):
    remittance = services.remittance_record(
        user=freelancer, received_on=date(2025, 8, 2), currency="USD", amount=D("500.00"), pkr_net=D("139650.00"),
        tax_withheld=D("350.00"), from_place="direct", client="Brightline", idempotency_key="r2",
    )  # fmt: skip
    entry = remittance.entry
    assert entry.pkr == D("140000.00") and entry.pkr_basis == PkrBasis.REALIZED and entry.fx_rate == D("280")
