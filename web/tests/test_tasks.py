from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.mail import send_mail
from django.utils import timezone

from web.models import Heartbeat
from web.tasks import purge_expired_sessions, scheduler_heartbeat

pytestmark = pytest.mark.django_db


def test_purge_expired_sessions_deletes_only_expired():
    live = SessionStore()
    live.create()
    dead = SessionStore()
    dead.create()
    Session.objects.filter(session_key=dead.session_key).update(expire_date=timezone.now() - timedelta(days=1))

    purge_expired_sessions.call_local()

    keys = set(Session.objects.values_list("session_key", flat=True))
    assert live.session_key in keys
    assert dead.session_key not in keys


def test_scheduled_jobs_are_periodic():
    # Both jobs are registered with the scheduler, not just callable.
    from datetime import datetime

    from huey.contrib.djhuey import HUEY

    periodic = {task_class.__name__ for task_class in HUEY._registry._periodic_tasks}
    assert {"scheduler_heartbeat", "purge_expired_sessions"} <= periodic
    due_at_17 = {type(t).__name__ for t in HUEY.read_periodic(datetime(2026, 1, 1, 10, 17))}  # noqa: DTZ001
    due_at_18 = {type(t).__name__ for t in HUEY.read_periodic(datetime(2026, 1, 1, 10, 18))}  # noqa: DTZ001
    assert "purge_expired_sessions" in due_at_17 and "purge_expired_sessions" not in due_at_18
    assert "scheduler_heartbeat" in due_at_18


def test_heartbeat_and_healthz(client):
    assert client.get("/healthz").json()["scheduler"] == "stale"
    scheduler_heartbeat.call_local()
    scheduler_heartbeat.call_local()
    beat = Heartbeat.objects.get(name="scheduler")
    assert beat.runs == 2
    assert client.get("/healthz").json()["scheduler"] == "ok"


def test_mail_goes_through_the_queue():
    send_mail("Hello", "Body", None, ["someone@example.com"])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello"


def test_healthz_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    from django.db import OperationalError, connection

    def refuse():
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["database"] == "down" and body["failed"] == ["database"]
    assert body["cache"] == "ok" and body["queue"] == "ok"


def test_healthz_answers_503_naming_the_queue_when_its_storage_is_down(client, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def refuse():
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(HUEY.storage, "queue_size", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["queue"] and response.json()["database"] == "ok"


def test_healthz_is_200_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["failed"] == []
