"""Periodic jobs run once a scheduled minute however many consumers run the scheduler."""

import os
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import datetime

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

import web.tasks  # noqa: F401 (registers the periodic jobs)

ROOT = settings.BASE_DIR
SCHEDULER_REDIS_DB = 6  # no other test uses it: flushed at the start
HEARTBEAT = "web.tasks.scheduler_heartbeat"  # as the consumer logs it


def _due(timestamp) -> set[str]:
    return {task.name for task in HUEY.read_periodic(timestamp)}


def test_a_second_scheduler_in_the_same_minute_enqueues_nothing():
    minute = datetime(2031, 3, 4, 5, 17, 2)  # noqa: DTZ001 (Huey runs in naive UTC)
    first = _due(minute)
    assert {"scheduler_heartbeat", "purge_expired_sessions"} <= first
    assert _due(minute.replace(second=41)) == set()  # another consumer, later in the same minute
    assert "scheduler_heartbeat" in _due(minute.replace(minute=18))  # the next minute is a new slot


@pytest.mark.worker
def test_two_consumers_run_the_heartbeat_once_per_minute(tmp_path):
    # The jobs write to a throwaway SQLite database under tmp_path, so the heartbeat's count can be read back.
    env = {**os.environ, "HUEY_IMMEDIATE": "0", "HUEY_WORKERS": "1", "KAMAI_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    if os.environ.get("REDIS_URL"):
        # Both consumers share a Redis database of their own: on the suite's queue they would also take jobs
        # another test (test_worker, in a parallel run) waits for. Drop claims an earlier run left there.
        from urllib.parse import urlsplit

        import redis

        env["REDIS_URL"] = urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{SCHEDULER_REDIS_DB}").geturl()
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    # Otherwise both share one Huey SQLite file under tmp_path.
    # Start early in a minute, so both first checks (made as each consumer starts) fall in the same one.
    while datetime.now().second > 20:  # noqa: DTZ005
        time.sleep(1)
    logs = [tmp_path / f"consumer-{n}.log" for n in (1, 2)]
    consumers = []
    try:
        for log in logs:
            consumers.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "run_huey"],
                    cwd=ROOT,
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all("Periodic tasks are enabled" in log.read_text() for log in logs):
                break
            time.sleep(0.2)
        # Each scheduler checks the periodic jobs as its first step, then once a minute.
        while time.monotonic() < deadline and _heartbeat_runs(tmp_path) == 0:
            time.sleep(0.2)
        time.sleep(3)  # time enough for a second copy to run, were there one
    finally:
        for consumer in consumers:
            consumer.terminate()
        for consumer in consumers:
            consumer.wait(timeout=20)
    output = "".join(log.read_text() for log in logs)
    started = re.findall(r"INFO:huey.consumer:MainThread:Huey consumer started with .* at (\S+ \S+)", output)
    assert len(started) == 2, output
    assert len({stamp[:16] for stamp in started}) == 1, f"the consumers started in different minutes: {started}"
    assert output.count(f"Scheduler:Enqueueing periodic task {HEARTBEAT}:") == 1, output
    assert _heartbeat_runs(tmp_path) == 1, output


def _heartbeat_runs(var_dir) -> int:
    with closing(sqlite3.connect(var_dir / "kamai.sqlite3")) as database:
        row = database.execute("SELECT runs FROM web_heartbeat WHERE name = 'scheduler'").fetchone()
    return row[0] if row else 0
