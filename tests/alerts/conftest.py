"""A real HTTP receiver for apprise's json:// URLs, and settings that point at it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from monitor.config import AlertSettings, RouteSettings, Settings


class Receiver:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.statuses: list[int] = []  # responses to give, in order; then 200
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    if status == 200:
                        receiver.messages.append(json.loads(body))
                        receiver.paths.append(self.path)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    @property
    def titles(self) -> list[str]:
        return [str(message["title"]) for message in self.messages]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def settings_for(receiver: Receiver) -> Any:
    """build({"name": "ops", "rules": [...]}, ..., spike={...}) -> Settings; urls default to
    the receiver, and no argument at all means one route "ops" for every rule."""

    def build(*routes: dict[str, Any], **sections: Any) -> Settings:
        built = []
        for route in routes or ({},):
            route = dict(route)
            route.setdefault("name", "ops")
            if "url_env" not in route:
                route.setdefault("url", receiver.url())
            built.append(RouteSettings(**route))
        return Settings(alerts=AlertSettings(routes=tuple(built), **sections))

    return build
