"""Numbers stay gap-free and unique when many drafts are issued at once (real threads, PostgreSQL)."""

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from invoicing import services
from invoicing.models import InvoiceSettings
from invoicing.tests.factories import ClientFactory, make_invoice

THREADS = 16


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_gap_free_unique_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks (SELECT ... FOR UPDATE) are only exercised on PostgreSQL; SQLite serialises writers.")
    client = ClientFactory()
    drafts = [make_invoice(client=client, issue=False) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors = []

    def issue(draft):
        try:
            barrier.wait()
            services.invoice_issue(invoice=draft, freelancer=client.freelancer, send_email=False)
        except Exception as error:  # noqa: BLE001 -- reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(type(drafts[0]).objects.filter(client=client).values_list("number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"INV-{year}-{n:04d}" for n in range(1, THREADS + 1)]
    assert InvoiceSettings.objects.get(freelancer=client.freelancer).next_invoice_number == THREADS + 1
    call_command("ledger_check")


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_never_overpay():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks (SELECT ... FOR UPDATE) are only exercised on PostgreSQL; SQLite serialises writers.")
    invoice = make_invoice(lines=(("Work", "1", "100.00"),))
    barrier = threading.Barrier(10)
    outcomes = []

    def pay(n):
        try:
            barrier.wait()
            services.payment_record(
                invoice=invoice,
                freelancer=invoice.freelancer,
                amount=Decimal("30"),
                currency="USD",
                received_on=timezone.localdate(),
                method="wise",
                idempotency_key=f"pay-{n}",
            )
            outcomes.append("ok")
        except services.InvoicingError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    invoice.refresh_from_db()
    assert outcomes.count("ok") == 3 and invoice.paid == Decimal("90.00")
    call_command("ledger_check")


def test_no_float_in_invoicing():
    root = Path(__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "float(" in path.read_text() and path.name != Path(__file__).name
    ]
    assert offenders == []
