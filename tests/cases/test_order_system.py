"""The webhook adapter against a real local HTTP server (a process boundary in miniature)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.cases.order_system import OrderSystemError, ResolutionOrder, WebhookOrderSystem


class FakeOrderSystem(ThreadingHTTPServer):
    """Pays once per Idempotency-Key; fails the first `fail_first` requests with 503."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict] = []
        self.payments: dict[str, str] = {}
        self.fail_first = 0


class Handler(BaseHTTPRequestHandler):
    server: FakeOrderSystem

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers["Idempotency-Key"]
        self.server.requests.append({"key": key, "body": body})
        if self.server.fail_first > 0:
            self.server.fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        reference = self.server.payments.setdefault(key, f"pay-{len(self.server.payments) + 1}")
        answer = json.dumps({"reference": reference}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[FakeOrderSystem]:
    server = FakeOrderSystem()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


ORDER = ResolutionOrder("key-123", 7, "refund", "111-0000001-0000001", Decimal("650.00"), "USD", {})


def url(server: FakeOrderSystem) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/resolutions"


def test_retry_after_an_error_pays_once(server: FakeOrderSystem) -> None:
    server.fail_first = 2
    system = WebhookOrderSystem(url(server), retries=3, backoff=0.01)
    assert system.execute(ORDER) == "pay-1"
    assert system.execute(ORDER) == "pay-1"  # a later retry of the same resolution
    assert len(server.requests) == 4 and {r["key"] for r in server.requests} == {"key-123"}
    assert server.payments == {"key-123": "pay-1"}
    assert server.requests[-1]["body"]["amount"] == "650.00"


def test_gives_up_with_a_safe_to_retry_error(server: FakeOrderSystem) -> None:
    server.fail_first = 10
    system = WebhookOrderSystem(url(server), retries=1, backoff=0.01)
    with pytest.raises(OrderSystemError, match="safe to retry") as error:
        system.execute(ORDER)
    assert "127.0.0.1" not in str(error.value)  # the URL may hold a key: never shown
    assert server.payments == {}
