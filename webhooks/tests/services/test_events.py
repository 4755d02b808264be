"""A settled withdrawal and a finished statement import reach their owner's endpoint."""

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from books.imports import statement_import_create
from books.tests.conftest import freelancer, rates, sample  # noqa: F401
from payouts import services as payouts
from payouts.tests.helpers import funded_freelancer, key, pkr_account, usd_pkr_rate
from webhooks import events, services

pytestmark = pytest.mark.django_db


def test_a_settled_withdrawal_is_announced_to_the_freelancer(make_receiver, django_capture_on_commit_callbacks):
    receiver = make_receiver()
    owner = funded_freelancer("1000")
    services.endpoint_create(user=owner, url=receiver.url, events=[events.WITHDRAWAL_SETTLED])
    usd_pkr_rate("280.00")
    withdrawal = payouts.withdrawal_request(
        freelancer=owner, bank_account=pkr_account(owner), currency="USD", amount=Decimal("200"), idempotency_key=key()
    )
    with django_capture_on_commit_callbacks(execute=True):
        payouts.withdrawal_settle(
            withdrawal=withdrawal,
            staff=UserFactory(is_staff=True),
            bank_reference="FT-123",
            realized_pkr=Decimal("55800.00"),
            prc_number="PRC-9",
            idempotency_key=key(),
        )
    assert receiver.types() == [events.WITHDRAWAL_SETTLED]
    data = receiver.requests[0]["json"]["data"]
    assert data["withdrawal"] == {"id": withdrawal.pk, "state": "settled", "bank_reference": "FT-123"}
    assert (data["amount"], data["currency"]) == ("200.00", "USD")
    assert data["realized"] == {"amount": "55800.00", "currency": "PKR"}


def test_a_finished_import_is_announced_to_its_owner(
    freelancer,  # noqa: F811
    rates,  # noqa: F811
    make_receiver,
    django_capture_on_commit_callbacks,
):
    receiver = make_receiver()
    services.endpoint_create(user=freelancer, url=receiver.url, events=[events.IMPORT_FINISHED])
    with django_capture_on_commit_callbacks(execute=True):
        imp = statement_import_create(user=freelancer, source_format="payoneer", upload=sample("payoneer.csv"))
    assert receiver.types() == [events.IMPORT_FINISHED]
    data = receiver.requests[0]["json"]["data"]
    assert data["import"] == {"id": imp.pk, "status": "done", "created_count": 3, "total_rows": imp.total_rows}
