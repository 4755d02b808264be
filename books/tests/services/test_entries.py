from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from books import services
from books.errors import BooksError
from books.models import Entry, PkrBasis
from ledger.checks import ledger_problems
from ledger.models import Transaction

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


def test_domestic_income_with_withholding(freelancer):
    entry = services.income_record(user=freelancer, occurred_on=date(2025, 9, 1), amount=D("100000"), currency="PKR",
                                   client="Lahore Co", tax_withheld=D("4000"), idempotency_key="i1")  # fmt: skip
    assert entry.tax_withheld == D("4000.00") and entry.pkr == D("100000.00")
    assert ledger_problems() == []


def test_an_expense_key_replayed_with_another_amount_is_refused(freelancer, rates):
    kwargs = dict(user=freelancer, occurred_on=date(2025, 7, 15), currency="PKR", category="internet",
                  idempotency_key="same")  # fmt: skip
    services.expense_record(amount=D("100"), **kwargs)
    with pytest.raises(BooksError, match="different request"):
        services.expense_record(amount=D("5000"), **kwargs)
    assert Entry.objects.count() == 1 and Transaction.objects.count() == 1
