from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from books.errors import BooksError
from books.imports import statement_import_create, statement_import_set_mapping
from books.models import Entry, ImportStatus, StatementImport
from books.tests.conftest import sample
from ledger.checks import ledger_problems
from ledger.models import Transaction

D = Decimal
GENERIC_MAPPING = {"date": "Booking date", "amount": "Value", "description": "Text", "reference": "Ref",
                   "fixed_currency": "PKR", "date_format": "dmy", "decimal": "comma"}  # fmt: skip


def test_payoneer_import_and_reimport_adds_nothing_twice(freelancer, rates):
    imp = statement_import_create(user=freelancer, source_format="payoneer", upload=sample("payoneer.csv"))
    assert imp.status == ImportStatus.DONE, imp.errors
    assert (imp.created_count, imp.skipped_count) == (3, 1)  # the pending row is skipped
    income = Entry.objects.get(user=freelancer, kind="income")
    # 1,250.00 × 280.1234 = 350,154.25
    assert (income.amount, income.pkr, income.client) == (D("1250.00"), D("350154.25"), "Brightline Labs")
    fee = Entry.objects.get(user=freelancer, kind="expense")
    assert (fee.category, fee.amount) == ("fees", D("29.95"))
    assert Entry.objects.get(user=freelancer, kind="transfer").amount == D("1000.00")
    again = statement_import_create(user=freelancer, source_format="payoneer", upload=sample("payoneer.csv"))
    assert (again.status, again.created_count) == (ImportStatus.DONE, 0)
    overlap = statement_import_create(user=freelancer, source_format="payoneer", upload=sample("payoneer_overlap.csv"))
    assert (overlap.created_count, overlap.skipped_count) == (1, 1)
    assert Entry.objects.filter(user=freelancer).count() == 4
    assert Transaction.objects.filter(kind__startswith="books_import").count() == 4
    assert ledger_problems() == []


@pytest.mark.parametrize(
    ("name", "fmt", "count", "income"),
    [
        ("wise.csv", "wise", 2, D("800.00")),  # the fee is inside Amount, not a row of its own
        ("upwork.csv", "upwork", 3, D("500.00")),
        ("fiverr.csv", "fiverr", 2, D("80.00")),
    ],
)  # fmt: skip
def test_each_provider_format(freelancer, rates, name, fmt, count, income):
    imp = statement_import_create(user=freelancer, source_format=fmt, upload=sample(name))
    assert imp.status == ImportStatus.DONE, imp.errors
    assert imp.created_count == count
    assert Entry.objects.get(user=freelancer, kind="income").amount == income


def test_the_same_rows_for_another_freelancer_are_theirs(freelancer, other, rates):
    statement_import_create(user=freelancer, source_format="upwork", upload=sample("upwork.csv"))
    imp = statement_import_create(user=other, source_format="upwork", upload=sample("upwork.csv"))
    assert imp.created_count == 3


def test_generic_csv_waits_for_its_mapping(freelancer):
    imp = statement_import_create(user=freelancer, source_format="csv", upload=sample("generic.csv"))
    assert imp.status == ImportStatus.MAPPING and imp.mapping["columns"] == ["Booking date", "Text", "Value", "Ref"]
    imp = statement_import_set_mapping(statement_import=imp, mapping=GENERIC_MAPPING, place="hbl")
    assert imp.status == ImportStatus.DONE, imp.errors
    amounts = sorted(Entry.objects.filter(user=freelancer).values_list("kind", "amount_minor"))
    assert amounts == [("expense", 1250), ("income", 150000)]


def test_generic_mapping_naming_a_missing_column_is_refused(freelancer):
    imp = statement_import_create(user=freelancer, source_format="csv", upload=sample("generic.csv"))
    with pytest.raises(BooksError, match="no column 'Amount'"):
        statement_import_set_mapping(statement_import=imp, mapping={**GENERIC_MAPPING, "amount": "Amount"}, place="hbl")


def test_every_problem_is_named_by_row_and_column_and_nothing_is_imported(freelancer, rates):
    imp = statement_import_create(user=freelancer, source_format="payoneer", upload=sample("bad_locale.csv"))
    assert imp.status == ImportStatus.FAILED
    text = "\n".join(imp.errors)
    assert "Row 2, column 'Amount': '1.250,00' uses the wrong separators" in text
    assert "Row 3, column 'Date': '2025-07-04' is not a date like 31 Jan 2025" in text
    assert "Row 4, column 'Currency': 'XYZ' is not a currency" in text
    assert "Row 5 repeats row 2" in text
    assert not Entry.objects.exists() and not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "binary"),
        (b"Date,Amount\n2025-01-01,5\n", "missing column"),
    ],
)
def test_bad_files(freelancer, content, message):
    upload = SimpleUploadedFile("x.csv", content, content_type="text/csv")
    try:
        imp = statement_import_create(user=freelancer, source_format="payoneer", upload=upload)
    except BooksError as error:
        assert message in str(error)
    else:
        assert imp.status == ImportStatus.FAILED and message in " ".join(imp.errors)
    assert not Entry.objects.exists() and not Transaction.objects.exists()


def test_large_file_runs_in_the_background_in_batches(freelancer, rates, settings, monkeypatch):
    settings.BOOKS_IMPORT_BACKGROUND_ROWS = 5
    monkeypatch.setattr("books.imports.BATCH_SIZE", 7)
    lines = ["Date,Description,Amount,Currency,Status,Transaction ID"]
    lines += [f"{d:02d} Jul 2025,Payment from Client {d},{d}.00,USD,Completed,P-{d}" for d in range(1, 21)]
    upload = SimpleUploadedFile("big.csv", "\n".join(lines).encode(), content_type="text/csv")
    imp = statement_import_create(user=freelancer, source_format="payoneer", upload=upload)
    imp.refresh_from_db()
    assert imp.background and imp.status == ImportStatus.DONE
    assert (imp.created_count, imp.processed_rows, imp.total_rows, imp.percent) == (20, 20, 20, 100)
    assert ledger_problems() == []


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing in the job gets to handle it."""


def _import_killed_after_one_batch(freelancer, settings, monkeypatch):
    from datetime import timedelta

    import books.imports

    settings.BOOKS_IMPORT_BACKGROUND_ROWS = 5
    monkeypatch.setattr("books.imports.BATCH_SIZE", 7)
    real_post = books.imports.post_transactions
    calls = []

    def post_then_die(batch):
        calls.append(1)
        if len(calls) == 2:
            raise WorkerKilled
        return real_post(batch)

    monkeypatch.setattr("books.imports.post_transactions", post_then_die)
    lines = ["Date,Description,Amount,Currency,Status,Transaction ID"]
    lines += [f"{d:02d} Jul 2025,Payment from Client {d},{d}.00,USD,Completed,P-{d}" for d in range(1, 21)]
    upload = SimpleUploadedFile("big.csv", "\n".join(lines).encode(), content_type="text/csv")
    with pytest.raises(WorkerKilled):
        statement_import_create(user=freelancer, source_format="payoneer", upload=upload)
    monkeypatch.setattr("books.imports.post_transactions", real_post)
    imp = StatementImport.objects.get(user=freelancer)
    assert imp.status == ImportStatus.RUNNING and Entry.objects.count() == 7

    def age(minutes):
        earlier = timezone.now() - timedelta(minutes=minutes)
        StatementImport.objects.filter(pk=imp.pk).update(created_at=earlier)
        Entry.objects.filter(statement_import=imp).update(created_at=earlier)

    return imp, age


def test_an_import_whose_worker_died_is_shown_stopped_and_resumed_by_the_periodic_job(
    client, freelancer, rates, settings, monkeypatch
):
    from books.tasks import resume_stalled_statement_imports

    imp, age = _import_killed_after_one_batch(freelancer, settings, monkeypatch)
    client.force_login(freelancer)
    url = reverse("books:import_detail", args=[imp.pk])
    age(2)  # a short pause is not a stop
    assert "Importing" in client.get(url).content.decode()
    assert resume_stalled_statement_imports.call_local() == 0
    age(11)
    page = client.get(url).content.decode()
    assert "Stopped before finishing" in page and "Try again" in page and 'http-equiv="refresh"' not in page
    assert resume_stalled_statement_imports.call_local() == 1
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and (imp.created_count, imp.total_rows) == (13, 20)
    assert Entry.objects.count() == 20 and Transaction.objects.filter(kind__startswith="books_import").count() == 20
    assert ledger_problems() == []
    assert "Imported" in client.get(url).content.decode()


def test_try_again_on_the_page_finishes_a_stopped_import(client, freelancer, rates, settings, monkeypatch):
    imp, age = _import_killed_after_one_batch(freelancer, settings, monkeypatch)
    client.force_login(freelancer)
    resume = reverse("books:import_resume", args=[imp.pk])
    client.post(resume)  # not stopped yet: nothing happens
    assert StatementImport.objects.get(pk=imp.pk).status == ImportStatus.RUNNING
    age(11)
    assert client.post(resume).status_code == 302
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and Entry.objects.count() == 20
    assert ledger_problems() == []
