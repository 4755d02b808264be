"""Signed events reach a real receiver: funded and released milestones, a paid invoice; failures are retried
with back-off; nothing leaves for a rolled-back transaction."""

import hashlib
import hmac
import time
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from contracts import services as contracts
from contracts.tests.helpers import assert_ledger_clean, fixed_contract, key
from invoicing import services as invoicing
from invoicing.tests.factories import make_invoice
from webhooks import events, services
from webhooks.models import Delivery, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The verification documented in docs/API.md, word for word."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - timestamp) <= tolerance
    return fresh and hmac.compare_digest(expected, parts["v1"])


def endpoint(user, url, chosen=tuple(events.EVENTS)):
    return services.endpoint_create(user=user, url=url, events=list(chosen))


def test_funded_released_and_paid_events_arrive_signed(make_receiver, django_capture_on_commit_callbacks):
    receiver = make_receiver()
    contract = fixed_contract(amounts=("500",))
    freelancer_hook = endpoint(contract.freelancer, receiver.url)
    client_hook = endpoint(contract.client, receiver.url, [events.MILESTONE_FUNDED])
    milestone = contract.milestones.get()
    with django_capture_on_commit_callbacks(execute=True):
        contracts.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    with django_capture_on_commit_callbacks(execute=True):
        contracts.milestone_submit(milestone=milestone, freelancer=contract.freelancer, message="done")
        contracts.milestone_approve(milestone=milestone, client=contract.client, idempotency_key=key())
    invoice = make_invoice(freelancer=contract.freelancer)
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.payment_record(
            invoice=invoice,
            freelancer=invoice.freelancer,
            amount=Decimal("500.00"),
            currency="USD",
            received_on=timezone.localdate(),
            method="wise",
            idempotency_key=key(),
        )
    assert sorted(receiver.types()) == sorted(
        ["milestone.funded", "milestone.funded", "milestone.released", "invoice.paid"]
    )
    secrets = {freelancer_hook.secret, client_hook.secret}
    for request in receiver.requests:
        header = request["headers"]["Kamai-Signature"]
        assert any(verify(secret, header, request["body"]) for secret in secrets)
        assert not verify("whsec_wrong", header, request["body"])
        payload = request["json"]
        assert set(payload) == {"id", "type", "created", "data"}
        assert request["headers"]["Kamai-Event-Id"] == payload["id"]
        assert "@" not in request["body"].decode()  # no e-mail addresses
    released = next(r["json"] for r in receiver.requests if r["json"]["type"] == "milestone.released")
    assert verify(
        freelancer_hook.secret, _header_of(receiver, "milestone.released"), _body_of(receiver, "milestone.released")
    )
    assert released["data"]["milestone"]["id"] == milestone.pk
    assert released["data"]["amount"] == "500.00" and released["data"]["currency"] == "USD"
    paid = next(r["json"] for r in receiver.requests if r["json"]["type"] == "invoice.paid")
    assert paid["data"]["invoice"]["number"] == invoice.number
    assert paid["data"]["paid"] == {"amount": "500.00", "currency": "USD"}
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SUCCEEDED}
    assert_ledger_clean()


def _request_of(receiver, kind):
    return next(r for r in receiver.requests if r["json"]["type"] == kind)


def _header_of(receiver, kind):
    return _request_of(receiver, kind)["headers"]["Kamai-Signature"]


def _body_of(receiver, kind):
    return _request_of(receiver, kind)["body"]


def test_a_receiver_failing_twice_gets_the_event_on_the_third_try(make_receiver, django_capture_on_commit_callbacks):
    receiver = make_receiver(statuses=[500, 500])
    invoice = make_invoice()
    hook = endpoint(invoice.freelancer, receiver.url, [events.INVOICE_PAID])
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.payment_record(
            invoice=invoice,
            freelancer=invoice.freelancer,
            amount=Decimal("500.00"),
            currency="USD",
            received_on=timezone.localdate(),
            method="wise",
            idempotency_key=key(),
        )
    assert receiver.types() == ["invoice.paid"] * 3
    assert len({r["json"]["id"] for r in receiver.requests}) == 1  # the same event, retried
    delivery = Delivery.objects.get(endpoint=hook)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.SUCCEEDED, 3, 200)
    assert delivery.last_response == "ok"


def test_retries_wait_for_the_back_off(settings, make_receiver, django_capture_on_commit_callbacks):
    settings.KAMAI_WEBHOOK_BACKOFF_SECONDS = [30, 120]
    receiver = make_receiver(statuses=[503])
    invoice = make_invoice()
    hook = endpoint(invoice.freelancer, receiver.url, [events.INVOICE_VIEWED])
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_record_view(invoice=invoice)
    delivery = Delivery.objects.get(endpoint=hook)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.PENDING, 1, 503)
    assert 25 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 31
    # Not due yet: the periodic sweep and a duplicate job both leave it alone.
    from webhooks import sending, tasks

    assert sending.attempt(delivery.pk) is None
    assert tasks.deliver_due.call_local() == 0
    assert len(receiver.requests) == 1


def test_a_delivery_gives_up_after_the_last_attempt(settings, make_receiver, django_capture_on_commit_callbacks):
    settings.KAMAI_WEBHOOK_BACKOFF_SECONDS = [0, 0]
    receiver = make_receiver(statuses=[500] * 5)
    invoice = make_invoice()
    hook = endpoint(invoice.freelancer, receiver.url, [events.INVOICE_VIEWED])
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_record_view(invoice=invoice)
    delivery = Delivery.objects.get(endpoint=hook)
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (DeliveryState.FAILED, 3, None)
    assert delivery.last_response == "receiver is down"
    assert len(receiver.requests) == 3


def test_a_rolled_back_transaction_sends_nothing(make_receiver, django_capture_on_commit_callbacks):
    receiver = make_receiver()
    contract = fixed_contract(amounts=("500",))
    endpoint(contract.freelancer, receiver.url)
    milestone = contract.milestones.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            contracts.milestone_fund(
                milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key()
            )
            raise RuntimeError("the request failed after funding")
    assert callbacks == []
    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_no_endpoints_no_rows_and_one_query(django_assert_num_queries, django_user_model):
    contract = fixed_contract(amounts=("500",))
    milestone = contract.milestones.get()
    with django_assert_num_queries(1):
        assert services.emit(user=contract.freelancer, event=events.MILESTONE_FUNDED, data={}) == 0
    contracts.milestone_fund(milestone=milestone, client=contract.client, provider="sandbox", idempotency_key=key())
    assert not Delivery.objects.exists()


def test_an_endpoint_not_subscribed_or_switched_off_gets_nothing(make_receiver, django_capture_on_commit_callbacks):
    receiver = make_receiver()
    invoice = make_invoice()
    endpoint(invoice.freelancer, receiver.url, [events.WITHDRAWAL_SETTLED])
    off = endpoint(invoice.freelancer, receiver.url, [events.INVOICE_VIEWED])
    Endpoint.objects.filter(pk=off.pk).update(active=False)
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_record_view(invoice=invoice)
    assert receiver.requests == []
    assert not Delivery.objects.exists()
