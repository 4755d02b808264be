"""One money truth: what the freelancer's books, tax and remittance pages show follows every posting at once,
corrections included (issue 10's cases, tried as a user would)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from books import selectors
from books.models import Entry, PkrBasis, Remittance, Source
from invoicing import services as invoicing
from invoicing.tests.factories import make_invoice
from ledger.checks import ledger_problems
from payouts import services as payouts
from payouts.tests.helpers import funded_freelancer, key, pkr_account, usd_pkr_rate
from tax import rules
from tax.selectors import estimate

pytestmark = pytest.mark.django_db
D = Decimal


def _year_totals(user):
    fy = rules.fiscal_year(timezone.localdate())
    return selectors.totals(user=user, start=fy.starts, end=fy.ends)


def _tax_inputs(user):
    result = estimate(user=user, fy=rules.fiscal_year(timezone.localdate()).label, today=timezone.localdate())
    return result.export_income_minor, result.domestic_income_minor, result.expenses_minor


def test_a_voided_invoice_leaves_books_and_tax_as_they_were():
    usd_pkr_rate("280.75")
    invoice = make_invoice(lines=(("Build", "1", "999.00"),))
    user = invoice.freelancer
    issued = _year_totals(user)
    assert issued.income_pkr == D("280469.25")  # 999 × 280.75, frozen at issue
    invoicing.invoice_void(invoice=invoice, freelancer=user)
    after = _year_totals(user)
    assert after.income_pkr_minor == 0 and _tax_inputs(user) == (0, 0, 0)
    lines = list(Entry.objects.filter(user=user).order_by("id").values_list("amount_minor", "pkr_minor"))
    assert lines == [(99900, 28046925), (-99900, -28046925)]
    assert ledger_problems() == []


def test_a_credit_note_reduces_income_at_the_invoice_frozen_rate():
    usd_pkr_rate("280.00", days_ago=3)
    invoice = make_invoice(lines=(("Build", "1", "500.00"),), issue_date=timezone.localdate() - timedelta(days=2))
    usd_pkr_rate("300.00")  # a later rate must not change what the invoice was worth
    invoicing.credit_note_issue(
        invoice=invoice, freelancer=invoice.freelancer, amount=D("100"), reason="Scope cut", idempotency_key=key()
    )
    assert _year_totals(invoice.freelancer).income_pkr == D("112000.00")  # 400 × 280


def test_invoice_freezes_the_issue_day_rate_and_shows_the_pkr_equivalent(client):
    rate = usd_pkr_rate("280.75")
    invoice = make_invoice(lines=(("Build", "1", "999.00"),))
    invoice.refresh_from_db()
    assert invoice.pkr_rate == rate and invoice.pkr_equivalent == D("280469.25")
    client.force_login(invoice.freelancer)
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "280,469.25" in page and "280.75" in page
    public = client.get(reverse("invoicing:invoice_public", args=[invoicing.invoice_link_token(invoice)]))
    assert "280,469.25" in public.content.decode()


def test_realized_pkr_on_a_payment_values_it_and_the_difference_is_the_exchange_result():
    usd_pkr_rate("280.00")
    invoice = make_invoice(lines=(("Build", "1", "500.00"),))
    invoicing.payment_record(
        invoice=invoice, freelancer=invoice.freelancer, amount=D("500"), currency="USD",
        received_on=timezone.localdate(), method="wise", idempotency_key=key(), realized_pkr=D("139500.00"),
    )  # fmt: skip
    fx = Entry.objects.get(user=invoice.freelancer, source=Source.FX)
    assert (fx.pkr, fx.pkr_basis, fx.currency) == (D("-500.00"), PkrBasis.REALIZED, "USD")
    assert _year_totals(invoice.freelancer).income_pkr == D("139500.00")  # what reached the bank
    assert ledger_problems() == []


def _settled(staff, realized="55800.00", withheld=None):
    freelancer = funded_freelancer("1000")  # 950.00 in the wallet, valued at 280
    withdrawal = payouts.withdrawal_request(
        freelancer=freelancer, bank_account=pkr_account(freelancer), currency="USD", amount=D("200"),
        idempotency_key=key(),
    )  # fmt: skip
    return payouts.withdrawal_settle(
        withdrawal=withdrawal, staff=staff, bank_reference="FT-1", realized_pkr=D(realized), prc_number="PRC-77",
        purpose_code="9186", tax_withheld=withheld, idempotency_key=key(),
    )  # fmt: skip


@pytest.fixture
def staff(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(is_staff=True)


def test_a_settled_withdrawal_is_a_remittance_everywhere_without_retyping(staff, client):
    usd_pkr_rate("280.00")
    settled = _settled(staff, withheld=D("139.50"))
    user = settled.freelancer
    remittance = Remittance.objects.get(withdrawal=settled)
    assert (remittance.amount, remittance.pkr_net, remittance.tax_withheld) == (D("199.00"), D("55800.00"), D("139.50"))
    assert (remittance.prc_number, remittance.purpose_code, remittance.from_place) == ("PRC-77", "9186", "kamai")
    # Income 950 × 280 = 266,000; the $1 fee at 280; the $199 sent was worth 55,720 and realized 55,939.50.
    totals = _year_totals(user)
    assert totals.income_pkr == D("266219.50") and totals.expense_pkr == D("280.00")
    assert Entry.objects.get(user=user, source=Source.FX).pkr == D("219.50")
    client.force_login(user)
    assert "PRC-77" in client.get("/books/remittances/").content.decode()
    assert "PRC-77" not in client.get("/tax/prc/").content.decode()
    tax = client.get("/tax/").content.decode()
    assert "PRC-77" in tax or "55,939.50" in tax
    assert ledger_problems() == []


def test_a_failed_withdrawal_changes_nothing_in_the_books(staff):
    usd_pkr_rate("280.00")
    freelancer = funded_freelancer("1000")
    before = _year_totals(freelancer)
    withdrawal = payouts.withdrawal_request(
        freelancer=freelancer, bank_account=pkr_account(freelancer), currency="USD", amount=D("200"),
        idempotency_key=key(),
    )  # fmt: skip
    payouts.withdrawal_fail(withdrawal=withdrawal, staff=staff, reason="Closed account", idempotency_key=key())
    after = _year_totals(freelancer)
    assert (after.income_pkr_minor, after.expense_pkr_minor) == (before.income_pkr_minor, before.expense_pkr_minor)
    assert not Remittance.objects.filter(user=freelancer).exists()


def test_removing_a_hand_recorded_expense_takes_it_out_of_every_total():
    from books import services as books

    usd_pkr_rate("280.00")
    freelancer = funded_freelancer("100")
    entry = books.expense_record(
        user=freelancer, occurred_on=timezone.localdate(), amount=D("10"), currency="USD", category="software",
        idempotency_key="e1",
    )  # fmt: skip
    assert _year_totals(freelancer).expense_pkr == D("2800.00")
    books.entry_reverse(user=freelancer, entry=entry, idempotency_key="r1")
    assert _year_totals(freelancer).expense_pkr_minor == 0
    assert ledger_problems() == []


def test_the_entry_page_removes_a_hand_recorded_expense_after_confirmation(client):
    from accounts.tests.factories import UserFactory
    from books import services as books

    freelancer = funded_freelancer("100")
    entry = books.expense_record(
        user=freelancer, occurred_on=timezone.localdate(), amount=D("1500"), currency="PKR", category="internet",
        idempotency_key="e2",
    )  # fmt: skip
    client.force_login(UserFactory())
    assert client.post(f"/books/entries/{entry.pk}/remove/", {"confirm": "yes"}).status_code == 404
    client.force_login(freelancer)
    assert "Remove entry" in client.get(f"/books/entries/{entry.pk}/").content.decode()
    client.post(f"/books/entries/{entry.pk}/remove/", {"idempotency_key": "k"})
    assert not entry.reversals.exists()  # not confirmed: nothing changed
    response = client.post(f"/books/entries/{entry.pk}/remove/", {"confirm": "yes", "idempotency_key": "k"})
    reversal = entry.reversals.get()
    assert response.url == f"/books/entries/{reversal.pk}/" and reversal.amount == D("-1500.00")
    client.post(f"/books/entries/{entry.pk}/remove/", {"confirm": "yes", "idempotency_key": "k2"})
    assert entry.reversals.count() == 1
    assert _year_totals(freelancer).expense_pkr_minor == 0
    assert "Remove entry" not in client.get(f"/books/entries/{entry.pk}/").content.decode()
