"""`make run` starts the web server and the worker together, and Ctrl-C stops both."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell does for a job started in the background


@pytest.mark.worker
@pytest.mark.parametrize("started_in_background", [False, True])
def test_run_dev_serves_and_ctrl_c_stops_web_and_worker(tmp_path, started_in_background):
    port = free_port()
    env = {**os.environ, "KAMAI_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # a throwaway SQLite database and Huey file under tmp_path
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True, timeout=120
    )
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_dev", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=_ignore_sigint if started_in_background else None,  # noqa: PLW1509 - test only
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status  # noqa: S310
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0].decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Stopped the web server and the worker." in output
    assert "huey" in output.lower()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
