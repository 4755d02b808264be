from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, force_login_with_mfa
from ledger.models import Hold
from payouts import services
from payouts.models import BankAccount, Withdrawal, WithdrawalState
from payouts.tests.helpers import (
    assert_ledger_clean,
    funded_freelancer,
    key,
    make_iban,
    pkr_account,
    usd_pkr_rate,
    wallet,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def freelancer(client):
    user = funded_freelancer("1000")  # 950.00 USD
    usd_pkr_rate("280.00")
    client.force_login(user)
    return user


@pytest.fixture
def staff_client(client):
    from django.test import Client

    staff = UserFactory(is_staff=True)
    c = Client()
    force_login_with_mfa(c, staff)
    return c


def _post_new(client, account, amount="100", idem=None, **extra):
    data = {"currency": "USD", "amount": amount, "bank_account": account.pk, **extra}
    if idem is not None:
        data["idempotency_key"] = idem
    return client.post(reverse("payouts:withdrawal_new"), data)


def test_list_shows_available_minimum_fee_and_rate(client, freelancer):
    pkr_account(freelancer)
    page = client.get(reverse("payouts:withdrawal_list")).content.decode()
    assert "$950.00" in page  # available
    assert "$10.00" in page  # minimum from settings
    assert "$1.00" in page  # Kamai fee
    assert "280" in page and "PKR" in page
    assert "Your own bank may charge" in page
    assert reverse("payouts:withdrawal_new") in page


def test_new_form_shows_fees_and_rate_before_submitting(client, freelancer):
    pkr_account(freelancer)
    page = client.get(reverse("payouts:withdrawal_new")).content.decode()
    assert 'name="idempotency_key"' in page and 'type="hidden"' in page
    assert "Kamai charges one flat fee per withdrawal" in page
    assert "1 USD = 280 PKR" in page


def test_preview_shows_what_the_bank_receives_and_writes_nothing(client, freelancer):
    account = pkr_account(freelancer)
    response = _post_new(client, account, "200", idem=key(), preview="1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Rs" in page or "PKR" in page
    assert "55,720.00" in page  # 199 × 280
    assert not Withdrawal.objects.exists()


def test_withdraw_through_the_page_then_double_submit_is_one_withdrawal(client, freelancer):
    account = pkr_account(freelancer)
    same = key()
    first = _post_new(client, account, "100", idem=same)
    second = _post_new(client, account, "100", idem=same)
    withdrawal = Withdrawal.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("payouts:withdrawal_detail", args=[withdrawal.pk])
    assert Hold.objects.count() == 1
    assert wallet(freelancer).available == Decimal("850.00")
    detail = client.get(first["Location"]).content.decode()
    assert "Requested" in detail and "27,720.00" in detail  # 99 × 280
    assert_ledger_clean()


def test_idempotency_key_header_is_accepted(client, freelancer):
    account = pkr_account(freelancer)
    for _ in range(2):
        response = client.post(
            reverse("payouts:withdrawal_new"),
            {"currency": "USD", "amount": "50", "bank_account": account.pk, "idempotency_key": ""},
            headers={"Idempotency-Key": "header-key-1"},
        )
        assert response.status_code == 302
    assert Withdrawal.objects.get().idempotency_key == "header-key-1"


def test_no_key_at_all_is_refused(client, freelancer):
    account = pkr_account(freelancer)
    page = _post_new(client, account, "50", idem="").content.decode()
    assert "needs a request key" in page
    assert not Withdrawal.objects.exists()


def test_below_minimum_and_over_available_show_clear_messages(client, freelancer):
    account = pkr_account(freelancer)
    page = _post_new(client, account, "5", idem=key()).content.decode()
    assert "The least you can withdraw is $10.00" in page
    page = _post_new(client, account, "951", idem=key()).content.decode()
    assert "You can withdraw at most $950.00" in page
    assert not Withdrawal.objects.exists() and not Hold.objects.exists()


def test_bank_accounts_page_saves_a_normalised_iban_and_explains_a_bad_one(client, freelancer):
    iban = make_iban("HABB", "0000001234567801")
    spaced = " ".join(iban[i : i + 4] for i in range(0, 24, 4)).lower()
    response = client.post(reverse("payouts:bank_accounts"), {"title": "Me", "iban": spaced, "kind": "pkr"})
    assert response.status_code == 302
    saved = BankAccount.objects.get(owner=freelancer)
    assert saved.iban == iban and saved.bank_name == "Habib Bank Limited (HBL)"
    page = client.post(
        reverse("payouts:bank_accounts"), {"title": "Me", "iban": "PK00HABB0000001234567801", "kind": "pkr"}
    ).content.decode()
    assert "check digits do not match" in page
    page = client.post(
        reverse("payouts:bank_accounts"), {"title": "Me", "iban": "DE89370400440532013000", "kind": "pkr"}
    )
    assert "must start with PK" in page.content.decode()
    page = client.post(reverse("payouts:bank_accounts"), {"title": "Me", "iban": iban, "kind": "fcy", "currency": ""})
    assert "Choose the currency" in page.content.decode()
    assert BankAccount.objects.filter(owner=freelancer).count() == 1


def test_another_freelancer_gets_404(client, freelancer):
    account = pkr_account(freelancer)
    withdrawal = services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("20"), idempotency_key=key()
    )
    other = UserFactory()
    client.force_login(other)
    assert client.get(reverse("payouts:withdrawal_detail", args=[withdrawal.pk])).status_code == 404
    assert client.post(reverse("payouts:bank_account_remove", args=[account.pk])).status_code == 404
    # Nor can they withdraw to it.
    response = client.post(
        reverse("payouts:withdrawal_new"),
        {"currency": "USD", "amount": "20", "bank_account": account.pk, "idempotency_key": key()},
    )
    assert response.status_code == 200
    assert Withdrawal.objects.count() == 1
    account.refresh_from_db()
    assert account.active


def test_freelancer_gets_403_on_staff_pages(client, freelancer):
    account = pkr_account(freelancer)
    withdrawal = services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("20"), idempotency_key=key()
    )
    assert client.get(reverse("payouts:staff_withdrawals")).status_code == 403
    data = {"bank_reference": "R", "realized_pkr": "5000", "prc_number": "P", "idempotency_key": key()}
    assert client.post(reverse("payouts:withdrawal_settle", args=[withdrawal.pk]), data).status_code == 403
    assert (
        client.post(
            reverse("payouts:withdrawal_fail", args=[withdrawal.pk]), {"reason": "x", "idempotency_key": key()}
        ).status_code
        == 403
    )
    withdrawal.refresh_from_db()
    assert withdrawal.state == WithdrawalState.REQUESTED


def test_anonymous_is_sent_to_log_in(db):
    from django.test import Client

    for name in (
        "payouts:withdrawal_list",
        "payouts:withdrawal_new",
        "payouts:bank_accounts",
        "payouts:staff_withdrawals",
    ):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_staff_settle_and_fail_through_the_page(client, freelancer, staff_client):
    account = pkr_account(freelancer)
    one, two = (
        services.withdrawal_request(
            freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal(a), idempotency_key=key()
        )
        for a in ("100", "200")
    )
    page = staff_client.get(reverse("payouts:staff_withdrawals")).content.decode()
    assert freelancer.email in page and account.display_iban in page
    data = {
        "bank_reference": "MEZN-77",
        "realized_pkr": "27,800.50",
        "prc_number": "PRC-77",
        "purpose_code": "9186",
        "idempotency_key": f"settle:{one.pk}",
    }
    for _ in range(2):  # a double click
        assert staff_client.post(reverse("payouts:withdrawal_settle", args=[one.pk]), data).status_code == 302
    response = staff_client.post(
        reverse("payouts:withdrawal_fail", args=[two.pk]),
        {"reason": "Account title mismatch", "idempotency_key": key()},
    )
    assert response.status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.state == WithdrawalState.SETTLED and one.realized_pkr == Decimal("27800.50")
    assert two.state == WithdrawalState.FAILED
    w = wallet(freelancer)
    assert (w.balance, w.held) == (Decimal("850.00"), 0)
    detail = client.get(reverse("payouts:withdrawal_detail", args=[one.pk])).content.decode()
    assert "MEZN-77" in detail and "PRC-77" in detail and "9186" in detail
    assert_ledger_clean()


def test_staff_settle_with_missing_pkr_shows_the_reason(freelancer, staff_client):
    account = pkr_account(freelancer)
    withdrawal = services.withdrawal_request(
        freelancer=freelancer, bank_account=account, currency="USD", amount=Decimal("20"), idempotency_key=key()
    )
    response = staff_client.post(
        reverse("payouts:withdrawal_settle", args=[withdrawal.pk]),
        {
            "bank_reference": "R",
            "realized_pkr": "",
            "prc_number": "P",
            "purpose_code": "9186",
            "idempotency_key": key(),
        },
        follow=True,
    )
    assert "Enter the PKR amount the bank credited" in response.content.decode()
    withdrawal.refresh_from_db()
    assert withdrawal.state == WithdrawalState.REQUESTED


def test_removing_a_bank_account_asks_first(client, freelancer):
    account = pkr_account(freelancer)
    remove = reverse("payouts:bank_account_remove", args=[account.pk])
    page = client.post(remove).content.decode()
    account.refresh_from_db()
    assert account.active and 'name="confirm"' in page and account.bank_name in page
    assert client.get(remove).status_code == 405  # a GET never removes
    client.post(remove, {"confirm": "1"})
    account.refresh_from_db()
    assert not account.active
