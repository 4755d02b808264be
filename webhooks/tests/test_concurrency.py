"""Real threads on PostgreSQL: ten workers handed the same due delivery send it once."""

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from kamai.testing import run_concurrently
from webhooks import events, sending, services
from webhooks.models import Delivery, DeliveryState

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_workers_send_one_attempt_once(make_receiver):
    if connection.vendor != "postgresql":
        pytest.skip("Row-lock concurrency needs PostgreSQL (SQLite serialises all writers; CI runs PostgreSQL).")
    receiver = make_receiver()
    user = UserFactory()
    services.endpoint_create(user=user, url=receiver.url, events=[events.INVOICE_PAID])
    # Outside a transaction on_commit runs at once: the immediate-mode job sends it, so count from a fresh row.
    services.emit(user=user, event=events.INVOICE_PAID, data={"invoice": {"id": 1}})
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING, attempts=0, next_attempt_at=None)
    before = len(receiver.requests)
    outcomes = run_concurrently(10, lambda i: sending.attempt(delivery.pk))
    assert outcomes == ["ok"] * 10
    assert len(receiver.requests) - before == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SUCCEEDED, 1)
