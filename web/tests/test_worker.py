"""A real Huey consumer process runs a real job (not immediate mode): on Redis in CI, on SQLite locally."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from huey.contrib.djhuey import HUEY

from web.tasks import deliver_email

ROOT = Path(settings.BASE_DIR)


@pytest.mark.worker
def test_consumer_process_delivers_an_email(tmp_path, monkeypatch):
    mail_dir = tmp_path / "mail"
    monkeypatch.setattr(HUEY, "immediate", False)
    HUEY.flush()
    env = {
        **os.environ,
        "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "HUEY_IMMEDIATE": "0",
        "HUEY_WORKERS": "1",
    }
    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        message = EmailMessage("Worker check", "Sent by the Huey consumer", to=["worker@example.com"])
        result = deliver_email(message)
        assert HUEY.pending_count() >= 0
        sent = result.get(blocking=True, timeout=60)
        assert sent == 1
        deadline = time.monotonic() + 10
        while not list(mail_dir.glob("*.log")) and time.monotonic() < deadline:
            time.sleep(0.1)
        files = list(mail_dir.glob("*.log"))
        assert files, "the consumer did not write the message"
        assert "Worker check" in files[0].read_text()
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=20)[0].decode(errors="replace")
    assert "web.tasks.deliver_email" in output
    storage = type(HUEY.storage).__name__
    if os.environ.get("REDIS_URL"):
        assert storage == "RedisStorage"
    else:
        assert storage == "SqliteStorage"
