"""The real browser for the browser tests (Debian's Chromium driven by Playwright, no downloaded browser) and a
real S3-compatible server for the storage tests (moto's server, started once a session)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from types import SimpleNamespace

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("CI must install Debian's chromium for the browser tests")
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django refuses sync ORM calls from inside one unless told.
    # Set only while a browser module runs, so it never leaks into other tests (check --deploy refuses it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            )  # fmt: skip
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- A real S3-compatible server (moto's, from requirements-dev.txt) for the storage tests ------------------
S3_PORTS = range(8160, 8170)
S3_REGION = "us-east-1"
S3_KEYS = {"access_key": "kamai-test", "secret_key": "kamai-test-secret"}


def _start_s3_server(port: int) -> subprocess.Popen | None:
    """moto's server on `port`, once it answers; None if it could not take the port (another test run's)."""
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while server.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1).close()  # noqa: S310
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.terminate()
                server.wait(timeout=10)
                raise RuntimeError("moto_server did not answer within 60 s") from None
            time.sleep(0.2)
    return None


@pytest.fixture(scope="session")
def s3_endpoint():
    """Start `python -m moto.server` on a free port in 8160-8169 for this test session; yield its URL."""
    for port in S3_PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        # Another process (a parallel test worker) may take the port between the probe and the start.
        server = _start_s3_server(port)
        if server is not None:
            break
    else:
        raise RuntimeError(f"No free port for the S3 server in {S3_PORTS.start}-{S3_PORTS.stop - 1}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_bucket(s3_endpoint, settings):
    """A fresh private bucket on the S3 server, and the default storage pointed at it for this test only."""
    import boto3

    from kamai.storage import s3_storage

    name = f"kamai-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEYS["access_key"],
        aws_secret_access_key=S3_KEYS["secret_key"],
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket_name=name, endpoint_url=s3_endpoint, region_name=S3_REGION, addressing_style="path", **S3_KEYS
        ),
    }
    return SimpleNamespace(name=name, client=client, endpoint=s3_endpoint)
