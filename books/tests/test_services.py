from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from books import services
from books.errors import BooksError
from books.models import Entry, PkrBasis
from books.projection import price_missing_entries
from ledger import chart
from ledger.checks import ledger_problems
from ledger.models import Transaction
from ledger.services import Leg, freelancer_wallet_account, personal_account, platform_bank_account, post_transaction

D = Decimal


def test_expense_in_usd_takes_the_reference_rate_of_its_day(freelancer, rates, png):
    entry = services.expense_record(
        user=freelancer, occurred_on=date(2025, 7, 15), amount=D("19.99"), currency="USD", category="software",
        note="Figma", place="payoneer", receipt=png, idempotency_key="k1",
    )  # fmt: skip
    # 19.99 × 280.1234 = 5599.666766 -> 5599.67 (half-even to the paisa)
    assert entry.pkr == D("5599.67") and entry.pkr_basis == PkrBasis.REFERENCE and entry.fx_rate == D("280.1234")
    assert entry.receipt.name.endswith(".png") and entry.receipt_content_type == "image/png"
    legs = sorted((p.account.code, p.amount_minor) for p in entry.transaction.postings.select_related("account"))
    assert legs == [
        (f"personal:{freelancer.pk}:cash:payoneer:USD", -1999),
        (f"personal:{freelancer.pk}:expense:software:USD", 1999),
    ]
    assert ledger_problems() == []


def test_expense_is_idempotent_on_its_key(freelancer, rates):
    kwargs = dict(user=freelancer, occurred_on=date(2025, 7, 15), amount=D("100"), currency="PKR",
                  category="internet", idempotency_key="same")  # fmt: skip
    first = services.expense_record(**kwargs)
    again = services.expense_record(**kwargs)
    assert first.pk == again.pk and Entry.objects.count() == 1 and Transaction.objects.count() == 1
    assert first.pkr_basis == PkrBasis.PKR and first.pkr == D("100.00")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 not a receipt", "PDF, JPEG, PNG or WebP"),
        (b"<html><script>alert(1)</script>", "PDF, JPEG, PNG or WebP"),
        (b"", "empty"),
        (b"%PDF-" + b"x" * (6 * 1024 * 1024), "limit"),
    ],
)
def test_bad_receipts_are_refused_and_nothing_is_saved(freelancer, content, message):
    upload = SimpleUploadedFile("receipt.pdf", content, content_type="application/pdf")
    with pytest.raises(BooksError, match=message):
        services.expense_record(user=freelancer, occurred_on=date(2025, 7, 1), amount=D("5"), currency="PKR",
                                category="other", receipt=upload, idempotency_key="bad")  # fmt: skip
    assert not Entry.objects.exists() and not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("amount", "currency", "category", "message"),
    [("0", "PKR", "other", "more than zero"), ("1.234", "PKR", "other", "decimals"), ("5", "PKR", "", "category"),
     ("5", "XYZ", "other", "currency")],
)  # fmt: skip
def test_bad_expense_input(freelancer, amount, currency, category, message):
    with pytest.raises(BooksError, match=message):
        services.expense_record(user=freelancer, occurred_on=date(2025, 7, 1), amount=D(amount), currency=currency,
                                category=category, idempotency_key="x")  # fmt: skip
    assert not Entry.objects.exists()


def test_expense_before_any_rate_gets_its_value_once_the_rate_arrives(freelancer, rates):
    entry = services.expense_record(user=freelancer, occurred_on=date(2025, 1, 2), amount=D("10"), currency="USD",
                                    category="software", idempotency_key="early")  # fmt: skip
    assert entry.pkr_basis == PkrBasis.MISSING and entry.pkr is None
    from ledger.models import ExchangeRate

    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2025, 1, 1), rate=D("278.5"), source="sbp")
    assert price_missing_entries() == 1
    entry.refresh_from_db()
    assert entry.pkr == D("2785.00") and entry.pkr_basis == PkrBasis.REFERENCE


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


def test_domestic_income_with_withholding(freelancer):
    entry = services.income_record(user=freelancer, occurred_on=date(2025, 9, 1), amount=D("100000"), currency="PKR",
                                   client="Lahore Co", tax_withheld=D("4000"), idempotency_key="i1")  # fmt: skip
    assert entry.tax_withheld == D("4000.00") and entry.pkr == D("100000.00")
    assert ledger_problems() == []


def test_book_entries_are_written_with_the_postings_of_other_apps(freelancer, rates):
    wallet = freelancer_wallet_account(freelancer=freelancer, currency="USD")
    post_transaction([Leg(platform_bank_account(currency="USD"), D("300")), Leg(wallet, D("-300"))],
                     idempotency_key="release-1", kind="escrow_release", reference="milestone:1")  # fmt: skip
    receivable = personal_account(user=freelancer, spec=chart.receivable(freelancer.pk, "acme", "PKR"))
    income = personal_account(user=freelancer, spec=chart.income(freelancer.pk, "invoices", "PKR"))
    post_transaction([Leg(receivable, D("50000")), Leg(income, D("-50000"))], idempotency_key="inv-1",
                     kind="invoice_issue", reference="invoice:1")  # fmt: skip
    assert Entry.objects.filter(user=freelancer).count() == 2
    kamai = Entry.objects.get(user=freelancer, source="kamai")
    invoice = Entry.objects.get(user=freelancer, source="invoices")
    assert (kamai.kind, kamai.amount, kamai.currency) == ("income", D("300.00"), "USD")
    assert (invoice.amount, invoice.client, invoice.pkr_basis) == (D("50000.00"), "acme", PkrBasis.PKR)


def test_budget_set_and_clear(freelancer):
    services.budget_set(user=freelancer, category="internet", monthly_pkr=D("5000"))
    assert freelancer.budgets.get().monthly_pkr == D("5000.00")
    services.budget_set(user=freelancer, category="internet", monthly_pkr=D("0"))
    assert not freelancer.budgets.exists()
    with pytest.raises(BooksError):
        services.budget_set(user=freelancer, category="internet", monthly_pkr=D("-1"))


def test_invoice_income_in_the_book_names_the_client(freelancer, rates):
    from invoicing.models import Client

    client = Client.objects.create(freelancer=freelancer, name="Thames Digital Ltd", email="ap@thames.example")
    receivable = personal_account(user=freelancer, spec=chart.receivable(freelancer.pk, client.pk, "PKR"))
    income = personal_account(user=freelancer, spec=chart.income(freelancer.pk, "invoices", "PKR"))
    post_transaction([Leg(receivable, D("1000")), Leg(income, D("-1000"))], idempotency_key="inv-9",
                     kind="invoice_issue", reference="invoice:9")  # fmt: skip
    assert Entry.objects.get(user=freelancer, source="invoices").client == "Thames Digital Ltd"


def test_an_expense_key_replayed_with_another_amount_is_refused(freelancer, rates):
    kwargs = dict(user=freelancer, occurred_on=date(2025, 7, 15), currency="PKR", category="internet",
                  idempotency_key="same")  # fmt: skip
    services.expense_record(amount=D("100"), **kwargs)
    with pytest.raises(BooksError, match="different request"):
        services.expense_record(amount=D("5000"), **kwargs)
    assert Entry.objects.count() == 1 and Transaction.objects.count() == 1
