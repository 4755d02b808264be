"""Under gunicorn (PROMETHEUS_MULTIPROC_DIR set) /metrics adds up what every process counted."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import django
django.setup()
from kamai.metrics import HTTP_REQUESTS, render
HTTP_REQUESTS.labels(view="home", method="GET", status="200").inc()
print(render().decode())
"""


def run_process(directory: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "DJANGO_SETTINGS_MODULE": "kamai.settings"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    return result.stdout


def test_two_processes_counts_are_added_up(tmp_path):
    first = run_process(tmp_path)
    assert 'kamai_http_requests_total{method="GET",status="200",view="home"} 1.0' in first
    second = run_process(tmp_path)  # another process (another gunicorn worker), the same directory
    assert 'kamai_http_requests_total{method="GET",status="200",view="home"} 2.0' in second
    assert "kamai_queue_length" in second
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
