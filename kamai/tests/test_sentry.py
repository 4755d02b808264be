"""Errors reach Sentry when SENTRY_DSN is set: a view that raises sends an envelope to the DSN's server."""

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from kamai.errors import init_sentry


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes]

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.bodies.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sentry_on(sentry_server):
    init_sentry(dsn=f"http://public@127.0.0.1:{sentry_server.server_address[1]}/1")
    try:
        yield sentry_server
    finally:
        sentry_sdk.get_client().close(timeout=2)
        # Every later test runs with Sentry off, as without SENTRY_DSN. A client made by init(dsn=None) would
        # still carry the Huey integration, which writes `sentry_headers` into every job it enqueues.
        sentry_sdk.get_global_scope().set_client(None)


@pytest.mark.urls("kamai.tests.urls")
def test_an_error_in_a_view_is_sent_to_sentry(client, db, sentry_on):
    assert not sentry_sdk.get_client().should_send_default_pii()
    client.raise_request_exception = False
    response = client.get("/obs-test/boom")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    deadline = time.monotonic() + 10
    while not any(b"ObservabilityBoom" in body for _, body in sentry_on.bodies) and time.monotonic() < deadline:
        time.sleep(0.1)
    sent = [(path, body) for path, body in sentry_on.bodies if b"ObservabilityBoom" in body]
    assert sent, f"no envelope with the error reached the server: {[p for p, _ in sentry_on.bodies]}"
    path, body = sent[0]
    assert path.startswith("/api/1/envelope/")
    assert b"a view failed on purpose" in body
    assert b"sessionid" not in body.lower() or b"[Filtered]" in body  # no personal data by default
