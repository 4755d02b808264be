"""Real statement layouts (books/tests/data/, written after the layouts documented in docs/IMPORT_FORMATS.md):
each is recognised from its header row and imports the right money; where the file has a running balance,
the account ends at it."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from books.imports import statement_import_create
from books.models import Entry, ImportStatus, PkrBasis
from books.services import cash
from books.statements import decode, detect, parse, read_table
from ledger.checks import ledger_problems
from ledger.selectors import account_balance

D = Decimal
DATA = Path(__file__).parent / "data"


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes())


def imported(user, name: str, source_format: str = "auto", content: bytes | None = None):
    imp = statement_import_create(user=user, source_format=source_format, upload=upload(name, content))
    assert imp.status == ImportStatus.DONE, imp.errors
    return imp


def balance(user, place: str, currency: str) -> Decimal:
    return account_balance(account=cash(user, place, currency))


@pytest.mark.parametrize(
    ("name", "source_format", "layout"),
    [
        ("payoneer_credit_debit.csv", "payoneer", "payoneer_credit_debit"),
        ("payoneer_dated.csv", "payoneer", "payoneer"),
        ("upwork_19.csv", "upwork", "upwork_19"),
        ("wise_23.csv", "wise", "wise"),
        ("bank_pk.csv", "csv", "bank"),
    ],
)
def test_the_header_row_tells_the_provider_and_layout(name, source_format, layout):
    header = read_table(decode((DATA / name).read_bytes()))[0]
    found = detect(header)
    assert (found.source_format, found.layout) == (source_format, layout)


def test_payoneer_credit_debit_ends_at_its_running_balance_and_reads_the_pkr_withdrawal(freelancer, rates):
    imp = imported(freelancer, "payoneer_credit_debit.csv")
    assert (imp.source_format, imp.mapping["layout"]) == ("payoneer", "payoneer_credit_debit")
    assert (imp.created_count, imp.skipped_count) == (3, 1)  # the pending payment waits
    assert parse((DATA / "payoneer_credit_debit.csv").read_bytes(), "payoneer").closing_balance == D("220.05")
    assert balance(freelancer, "payoneer", "USD") == D("220.05")
    income = Entry.objects.get(user=freelancer, kind="income")
    assert (income.amount, income.client) == (D("1250.00"), "Brightline Labs")
    withdrawal = Entry.objects.get(user=freelancer, kind="transfer")
    assert (withdrawal.amount, withdrawal.pkr, withdrawal.pkr_basis) == (
        D("1000.00"),
        D("279500.00"),
        PkrBasis.REALIZED,
    )
    assert withdrawal.fx_rate == D("279.5")
    assert ledger_problems() == []


def test_payoneer_dates_with_a_comma_trailing_spaces_and_two_identical_charges(freelancer, rates):
    imp = imported(freelancer, "payoneer_dated.csv")
    assert (imp.created_count, imp.skipped_count) == (3, 1)
    charges = Entry.objects.filter(user=freelancer, kind="expense")
    assert [(e.amount, e.category) for e in charges] == [(D("15.00"), "software")] * 2
    assert balance(freelancer, "payoneer", "USD") == D("470.00")
    again = imported(freelancer, "payoneer_dated.csv")
    assert again.created_count == 0
    assert Entry.objects.filter(user=freelancer).count() == 3


def test_upwork_19_columns(freelancer, rates):
    imp = imported(freelancer, "upwork_19.csv")
    assert imp.created_count == 4
    kinds = sorted(Entry.objects.filter(user=freelancer).values_list("kind", "category", "amount_minor"))
    assert kinds == [
        ("expense", "fees", 150),
        ("expense", "fees", 5000),
        ("income", "", 50000),
        ("transfer", "", 44850),
    ]
    assert Entry.objects.get(user=freelancer, kind="income").client == "Kraftwerk Studio"
    assert balance(freelancer, "upwork", "USD") == D("0.00")  # the file's Current balance $


def test_wise_amounts_include_the_fee_and_the_conversion_to_pkr_is_realized(freelancer, rates):
    imp = imported(freelancer, "wise_23.csv")
    assert imp.created_count == 3  # no separate fee line: Amount already carries it
    assert balance(freelancer, "wise", "GBP") == D("482.90")  # the file's Running Balance
    sent = Entry.objects.get(user=freelancer, kind="transfer")
    assert (sent.amount, sent.pkr, sent.pkr_basis) == (D("302.10"), D("106650.00"), PkrBasis.REALIZED)
    card = Entry.objects.get(user=freelancer, kind="expense")
    assert (card.amount, card.category) == (D("15.00"), "software")


def test_pakistani_bank_statement_with_blank_cells(freelancer, rates):
    imp = imported(freelancer, "bank_pk.csv")
    assert (imp.source_format, imp.mapping["layout"], imp.mapping["place"]) == ("csv", "bank", "bank")
    assert imp.created_count == 6  # both identical ATM fees are real
    assert balance(freelancer, "bank", "PKR") == D("317705.00")
    rows = sorted(Entry.objects.filter(user=freelancer).values_list("kind", "category", "amount_minor"))
    assert rows == [
        ("expense", "electricity", 845000),
        ("expense", "fees", 2300),
        ("expense", "fees", 2300),
        ("expense", "internet", 329900),
        ("income", "", 5000000),
        ("transfer", "", -27950000),  # money in. PAYONEER TRANSFER: the freelancer's own money, not new income
    ]
    assert imported(freelancer, "bank_pk.csv").created_count == 0
    assert ledger_problems() == []


def test_utf16_excel_unicode_text(freelancer, rates):
    """Excel's "Unicode text": UTF-16 with a BOM, tab separated, numbers without quotes."""
    lines = [
        "Txn Date\tNarration\tDebit\tCredit\tBalance",
        "11/07/2025\tWISE PAYMENT\t\t106650.00\t106650.00",
        "15/07/2025\tNAYATEL\t2500.00\t\t104150.00",
    ]
    imported(freelancer, "bank.txt", content="\r\n".join(lines).encode("utf-16"))
    assert balance(freelancer, "bank", "PKR") == D("104150.00")
    assert Entry.objects.get(user=freelancer, kind="expense").category == "internet"


def test_a_chosen_format_overrides_detection(freelancer, rates):
    bad = statement_import_create(user=freelancer, source_format="upwork", upload=upload("wise_23.csv"))
    assert bad.status == ImportStatus.FAILED
    assert "not a Upwork statement" in bad.errors[0]


def test_duplicate_check_asks_in_chunks(freelancer, rates, monkeypatch):
    monkeypatch.setattr("books.imports.LOOKUP_CHUNK", 2)
    imported(freelancer, "bank_pk.csv")
    with CaptureQueriesContext(connection) as queries:
        again = imported(freelancer, "bank_pk.csv")
    assert again.created_count == 0
    lookups = [q["sql"] for q in queries.captured_queries if "fingerprint" in q["sql"] and " IN (" in q["sql"]]
    assert len(lookups) == 3


def test_the_form_detects_by_default_and_says_what_it_recognised(client, freelancer, rates):
    client.force_login(freelancer)
    page = client.get(reverse("books:import_list"))
    assert b'value="auto" selected' in page.content
    response = client.post(reverse("books:import_list"), {"source_format": "auto", "file": upload("upwork_19.csv")})
    detail = client.get(response["Location"])
    assert "Upwork transactions (19 columns)" in detail.content.decode()
