"""Keyset pages of an account statement: every posting exactly once, the running balance right on each."""

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import selectors, services, views
from ledger.errors import InsufficientFunds
from ledger.tests.helpers import deposit, key

pytestmark = pytest.mark.django_db


def _post(wallet, amounts):
    payouts = services.platform_payouts_account(currency=wallet.currency)
    for amount in amounts:
        if amount > 0:
            deposit(wallet, str(amount))
        else:
            try:
                services.post_transaction(
                    [(wallet, Decimal(-amount)), (payouts, Decimal(amount))], idempotency_key=key(), kind="test"
                )
            except InsufficientFunds:
                pass  # a wallet is never overdrawn: that withdrawal simply does not happen


def _expected(wallet):
    running, rows = 0, []
    for posting in wallet.postings.order_by("posted_at", "id"):
        running += posting.amount_minor
        rows.append((posting.pk, running))
    return rows


def _walk_later(wallet, size):
    token, seen = "start", []
    while token:
        page = selectors.account_statement_page(account=wallet, after=token, size=size)
        seen.extend((p.pk, p.running_minor) for p in page.postings)
        token = page.later
    return seen


def _walk_earlier(wallet, size):
    page = selectors.account_statement_page(account=wallet, size=size)
    pages = [page]
    while page.earlier:
        page = selectors.account_statement_page(account=wallet, before=page.earlier, size=size)
        pages.append(page)
    return [(p.pk, p.running_minor) for page in reversed(pages) for p in page.postings]


# The wallet outlives the examples, so each one pages through everything posted so far.
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(min_value=-50, max_value=200).filter(bool), max_size=12), size=st.integers(1, 5))
def test_every_posting_once_with_its_running_balance_both_ways(wallet, amounts, size):
    _post(wallet, amounts)
    expected = _expected(wallet)
    assert _walk_later(wallet, size) == expected
    assert _walk_earlier(wallet, size) == expected


def test_the_latest_page_ends_at_the_cached_balance(wallet):
    _post(wallet, [10, 20, -5, 7])
    page = selectors.account_statement_page(account=wallet, size=2)
    wallet.refresh_from_db()
    assert page.postings[-1].running_minor == wallet.balance_minor
    assert page.later is None and page.earlier


def test_a_cursor_is_refused_when_tampered_or_for_another_account(wallet, user):
    _post(wallet, [10, 20, 30])
    first = selectors.account_statement_page(account=wallet, after="start", size=1)
    forged = first.later.replace(".-1000", ".-999999", 1)
    assert selectors.account_statement_page(account=wallet, after=forged, size=1).later is None  # latest page
    other = services.freelancer_wallet_account(freelancer=user, currency="EUR")
    assert selectors.StatementCursor.from_token(first.later, account=other) is None


def test_statement_pages_through_the_view(client, user, wallet, monkeypatch):
    monkeypatch.setattr(views, "STATEMENT_PAGE_SIZE", 1)
    _post(wallet, [Decimal("120.00"), Decimal("5.50")])
    client.force_login(user)
    url = reverse("ledger:wallet_statement", args=[wallet.pk])
    latest = client.get(url)
    body = latest.content.decode()
    assert "$5.50" in body and "$125.50" in body and "Earlier" in body and "Later" not in body
    earlier = latest.context["page"].earlier
    body = client.get(url, {"before": earlier}).content.decode().split("<tbody>")[1]
    assert "$120.00" in body and "$125.50" not in body and "Later" in body
    assert "$120.00" in client.get(url, {"after": "start"}).content.decode()
