import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """A real HTTP server on 127.0.0.1 that records every request and answers with the statuses it is given
    (then 200)."""

    def __init__(self, statuses=()):
        self.requests: list[dict] = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "json": json.loads(body)})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                answer = b"ok" if status < 300 else b"receiver is down"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def types(self) -> list[str]:
        return [r["json"]["type"] for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.KAMAI_WEBHOOKS_ALLOW_HTTP = True
    settings.KAMAI_WEBHOOK_BACKOFF_SECONDS = [0, 0, 0, 0, 0]
    settings.KAMAI_ALLOW_SANDBOX_PAYMENTS = True


@pytest.fixture
def make_receiver():
    made = []

    def make(statuses=()):
        receiver = Receiver(statuses)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()
