from datetime import date
from decimal import Decimal

from books import services
from books.models import Entry, PkrBasis
from books.projection import price_missing_entries
from ledger import chart
from ledger.services import Leg, freelancer_wallet_account, personal_account, platform_bank_account, post_transaction

D = Decimal


def test_expense_before_any_rate_gets_its_value_once_the_rate_arrives(freelancer, rates):
    entry = services.expense_record(user=freelancer, occurred_on=date(2025, 1, 2), amount=D("10"), currency="USD",
                                    category="software", idempotency_key="early")  # fmt: skip
    assert entry.pkr_basis == PkrBasis.MISSING and entry.pkr is None
    from ledger.models import ExchangeRate

    ExchangeRate.objects.create(base_currency="USD", rate_date=date(2025, 1, 1), rate=D("278.5"), source="sbp")
    assert price_missing_entries() == 1
    entry.refresh_from_db()
    assert entry.pkr == D("2785.00") and entry.pkr_basis == PkrBasis.REFERENCE


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


def test_invoice_income_in_the_book_names_the_client(freelancer, rates):
    from invoicing.models import Client

    client = Client.objects.create(freelancer=freelancer, name="Thames Digital Ltd", email="ap@thames.example")
    receivable = personal_account(user=freelancer, spec=chart.receivable(freelancer.pk, client.pk, "PKR"))
    income = personal_account(user=freelancer, spec=chart.income(freelancer.pk, "invoices", "PKR"))
    post_transaction([Leg(receivable, D("1000")), Leg(income, D("-1000"))], idempotency_key="inv-9",
                     kind="invoice_issue", reference="invoice:9")  # fmt: skip
    assert Entry.objects.get(user=freelancer, source="invoices").client == "Thames Digital Ltd"
