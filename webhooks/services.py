"""Every write about webhooks: endpoints, emitting events, re-sending. Emitting only writes delivery rows; the
worker sends them once the transaction that caused the event has committed (nothing leaves for a rollback)."""

import ipaddress
import uuid
from functools import partial
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.money import from_minor
from webhooks import events as ev
from webhooks import sending, tasks
from webhooks.errors import WebhookError
from webhooks.models import MAX_ENDPOINTS_PER_USER, Delivery, DeliveryState, Endpoint, move_delivery

LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    local_allowed = sending.http_allowed() and host in LOCAL_NAMES
    if parts.scheme != "https" and not (parts.scheme == "http" and local_allowed):
        raise WebhookError(_("The address must start with https:// so that events travel encrypted."))
    if not host or parts.username or parts.password or len(url) > 500:
        raise WebhookError(_("Enter a full address, such as https://example.com/kamai-events."))
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if (host == "localhost" or (ip is not None and not ip.is_global)) and not local_allowed:
        raise WebhookError(_("Events cannot be sent to a private, local or link-local network address."))
    return url


@transaction.atomic
def endpoint_create(*, user, url: str, events: list[str]) -> Endpoint:
    """Register an address for the chosen events, with a new signing secret."""
    url = _check_url(url)
    chosen = [name for name in ev.EVENTS if name in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise WebhookError(_("Choose at least one event."))
    # Locking the user's row keeps two simultaneous requests from passing the limit together.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if Endpoint.objects.filter(user=user).count() >= MAX_ENDPOINTS_PER_USER:
        raise WebhookError(
            _("You can have at most %(count)d webhook endpoints; delete one first.") % {"count": MAX_ENDPOINTS_PER_USER}
        )
    return Endpoint.objects.create(user=user, url=url, events=chosen)


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, user) -> None:
    """Remove the address and its delivery history; nothing more is sent to it."""
    if endpoint.user_id != user.pk:
        raise WebhookError(_("This endpoint is not yours."))
    endpoint.delete()


@transaction.atomic
def delivery_resend(*, delivery: Delivery, user) -> Delivery:
    """Send a failed delivery again, with a fresh series of attempts."""
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if delivery.endpoint.user_id != user.pk:
        raise WebhookError(_("This delivery is not yours."))
    if delivery.state != DeliveryState.FAILED:
        raise WebhookError(_("Only a failed delivery can be sent again."))
    move_delivery(delivery, DeliveryState.PENDING)
    delivery.attempts, delivery.next_attempt_at = 0, timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    transaction.on_commit(partial(tasks.enqueue, [delivery.pk]))
    return delivery


def emit(*, user, event: str, data: dict) -> int:
    """Queue `event` for the user's active endpoints that chose it; sent after the current transaction commits.
    Returns how many deliveries were created. A user with no endpoints costs one query."""
    if event not in ev.EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    user_id = getattr(user, "pk", user)
    if user_id is None:
        return 0
    endpoints = [e for e in Endpoint.objects.filter(user_id=user_id, active=True) if event in e.events]
    if not endpoints:
        return 0
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "type": event, "created": now.isoformat(), "data": data}
    rows = Delivery.objects.bulk_create(
        Delivery(endpoint=e, event=event, event_id=event_id, payload=payload, next_attempt_at=now) for e in endpoints
    )
    ids = [row.pk for row in rows] if all(row.pk for row in rows) else _created_ids(event_id)
    transaction.on_commit(partial(tasks.enqueue, ids))
    return len(rows)


def _created_ids(event_id) -> list[int]:
    return list(Delivery.objects.filter(event_id=event_id).values_list("pk", flat=True))


# --- What each event says: ids and amounts (strings, with their currency), never e-mail addresses -------------


def _money(minor: int, currency: str) -> dict:
    return {"amount": str(from_minor(minor, currency)), "currency": currency}


def milestone_event(event: str, milestone) -> None:
    """Tell both parties of the contract that a milestone was funded or released."""
    contract = milestone.contract
    data = {
        "milestone": {"id": milestone.pk, "title": milestone.title, "state": milestone.state},
        "contract": {"id": contract.pk, "title": contract.title},
        **_money(milestone.escrow_minor, contract.currency),
    }
    for user_id in dict.fromkeys([contract.client_id, contract.freelancer_id]):
        emit(user=user_id, event=event, data=data)


def invoice_event(event: str, invoice) -> None:
    """Tell the freelancer who issued the invoice that it was opened or paid."""
    data = {
        "invoice": {"id": invoice.pk, "number": invoice.number, "state": invoice.state},
        "total": _money(invoice.total_minor, invoice.currency),
        "paid": _money(invoice.paid_minor, invoice.currency),
    }
    emit(user=invoice.freelancer_id, event=event, data=data)


def withdrawal_settled(withdrawal) -> None:
    data = {
        "withdrawal": {"id": withdrawal.pk, "state": withdrawal.state, "bank_reference": withdrawal.bank_reference},
        **_money(withdrawal.amount_minor, withdrawal.currency),
        "fee": _money(withdrawal.fee_minor, withdrawal.currency),
    }
    if withdrawal.realized_pkr_minor is not None:
        data["realized"] = _money(withdrawal.realized_pkr_minor, "PKR")
    emit(user=withdrawal.freelancer_id, event=ev.WITHDRAWAL_SETTLED, data=data)


def import_finished(statement_import) -> None:
    data = {
        "import": {
            "id": statement_import.pk,
            "status": statement_import.status,
            "created_count": statement_import.created_count,
            "total_rows": statement_import.total_rows,
        }
    }
    emit(user=statement_import.user_id, event=ev.IMPORT_FINISHED, data=data)
