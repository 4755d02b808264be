import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import force_login_with_mfa
from ledger import services, views
from ledger.tests.factories import UserFactory
from ledger.tests.helpers import deposit, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(wallet):
    deposit(wallet, "120.00")
    services.hold(
        debit_account=wallet,
        credit_account=services.platform_payouts_account(currency="USD"),
        amount=Decimal("20.00"),
        idempotency_key=key(),
        kind="withdrawal",
    )
    deposit(wallet, "5.50")
    return wallet


def test_wallet_shows_balance_held_and_available(client, user, funded):
    client.force_login(user)
    response = client.get(reverse("ledger:wallet"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "$125.50" in body and "$20.00" in body and "$105.50" in body
    assert reverse("ledger:wallet_statement", args=[funded.pk]) in body
    assert f'href="{reverse("ledger:wallet")}"' in body  # the navigation link appears once the URL exists


def test_wallet_in_urdu(client, user, funded):
    client.force_login(user)
    response = client.get(reverse("ledger:wallet"), HTTP_ACCEPT_LANGUAGE="ur")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


def test_empty_wallet(client, user):
    client.force_login(user)
    assert "Your wallet is empty" in client.get(reverse("ledger:wallet")).content.decode()


def test_statement_has_running_balance_and_pages(client, user, funded, monkeypatch):
    monkeypatch.setattr(views, "STATEMENT_PAGE_SIZE", 1)
    client.force_login(user)
    url = reverse("ledger:wallet_statement", args=[funded.pk])
    latest = client.get(url)
    assert "$5.50" in latest.content.decode() and "$125.50" in latest.content.decode()
    first = client.get(url, {"before": latest.context["page"].earlier}).content.decode().split("<tbody>")[1]
    assert "$120.00" in first and "$125.50" not in first


def test_statement_csv(client, user, funded):
    client.force_login(user)
    response = client.get(reverse("ledger:wallet_statement_csv", args=[funded.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Date", "Transaction", "Kind"]
    assert [(r[5], r[6]) for r in rows[1:]] == [("120.00", "120.00"), ("5.50", "125.50")]


@pytest.mark.parametrize("name", ["ledger:wallet_statement", "ledger:wallet_statement_csv"])
def test_a_stranger_cannot_see_someone_elses_statement(client, funded, name):
    client.force_login(UserFactory())
    assert client.get(reverse(name, args=[funded.pk])).status_code == 404


def test_a_staff_member_cannot_browse_a_wallet_through_the_user_pages(client, funded):
    force_login_with_mfa(client, UserFactory(is_staff=True))
    assert client.get(reverse("ledger:wallet_statement", args=[funded.pk])).status_code == 404


def test_a_strangers_wallet_page_shows_only_their_own_accounts(client, funded):
    client.force_login(UserFactory())
    body = client.get(reverse("ledger:wallet")).content.decode()
    assert "$125.50" not in body and "Your wallet is empty" in body


@pytest.mark.parametrize(
    "url",
    [
        lambda a: reverse("ledger:wallet"),
        lambda a: reverse("ledger:wallet_statement", args=[a.pk]),
        lambda a: reverse("ledger:wallet_statement_csv", args=[a.pk]),
        lambda a: reverse("ledger:ledger_trial_balance"),
    ],
)
def test_anonymous_users_are_sent_to_login(client, funded, url):
    response = client.get(url(funded))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_trial_balance_is_staff_only(client, user, funded):
    client.force_login(user)
    assert client.get(reverse("ledger:ledger_trial_balance")).status_code == 403
    force_login_with_mfa(client, UserFactory(is_staff=True))
    response = client.get(reverse("ledger:ledger_trial_balance"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "platform · USD" in body and "balanced" in body and "$125.50" in body
    assert client.get(reverse("ledger:ledger_trial_balance"), {"book": "nope"}).content.decode().count("card") == 0
