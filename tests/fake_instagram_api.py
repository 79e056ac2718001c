"""A local Graph API server over real HTTP for the Instagram source: an account's media, their
comments (paged, with nested replies), media that tag the account, the Page's Instagram
conversations, and the reply endpoints. It can be scripted to fail like the real one: a
status and body for the n-th request (a 429 with the business-use-case usage header, an
expired token), a slow response (so a test can kill the poller mid-poll), a malformed item.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAGE, IG_USER, VERSION = "104", "17841400000000001", "v24.0"


def comment(
    comment_id: str, user: str, minute: int, text: str = "where is my order?", **extra: Any
) -> dict[str, Any]:
    return {
        "id": comment_id,
        "text": text,
        "timestamp": f"2026-01-02T10:{minute:02d}:00+0000",
        "username": f"user{user}",
        "from": {"id": user, "username": f"user{user}"},
        **extra,
    }


@dataclass
class Script:
    media: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # media id -> items
    conversations: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)  # media tagging the account
    page_size: int = 3
    failures: dict[int, tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=dict)
    slow: dict[int, float] = field(default_factory=dict)  # request number -> seconds
    requests: list[str] = field(default_factory=list)
    posted: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    slow_started: threading.Event = field(default_factory=threading.Event)


def rate_limited(minutes: int) -> tuple[int, dict[str, Any], dict[str, str]]:
    usage = {PAGE: [{"type": "instagram", "call_count": 100, "total_cputime": 40,
                     "total_time": 30, "estimated_time_to_regain_access": minutes}]}  # fmt: skip
    body = {"error": {"message": "Application request limit reached", "type": "OAuthException",
                      "code": 80002, "fbtrace_id": "Ab1"}}  # fmt: skip
    return 429, body, {"x-business-use-case-usage": json.dumps(usage)}


def expired_token() -> tuple[int, dict[str, Any], dict[str, str]]:
    body = {"error": {"message": "Error validating access token: Session has expired",
                      "type": "OAuthException", "code": 190, "error_subcode": 463}}  # fmt: skip
    return 400, body, {}


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def log_message(self, *_: Any) -> None:
        pass

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        script = self.script
        with script.lock:
            script.requests.append(self.path)
            number = len(script.requests)
        if number in script.slow:
            script.slow_started.set()
            time.sleep(script.slow[number])
        if number in script.failures:
            self._send(*script.failures[number])
            return
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")  # v24.0, node, edge
        node, edge = parts[1], parts[2] if len(parts) > 2 else ""
        if edge == "media":
            self._send(200, {"data": script.media})
        elif edge == "comments":
            self._page(script.comments.get(node, []), query, url.path)
        elif edge == "tags":
            self._send(200, {"data": self.script.tags})
        elif edge == "conversations":
            self._send(200, {"data": script.conversations})
        else:
            self._send(404, {"error": {"message": f"unknown path {url.path}", "code": 100}})

    def _page(self, items: list[dict[str, Any]], query: dict[str, str], path: str) -> None:
        start = int(query.get("after", "0"))
        size = self.script.page_size
        body: dict[str, Any] = {"data": items[start : start + size]}
        if start + size < len(items):
            host = self.headers.get("Host")
            after = start + size
            body["paging"] = {"next": f"http://{host}{path}?access_token=secret&after={after}"}
        self._send(200, body)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        with self.script.lock:
            self.script.posted.append((url.path, form))
        if url.path.endswith("/messages"):
            self._send(200, {"recipient_id": "1", "message_id": "m_new"})
        else:
            self._send(200, {"id": "1799"})


def serve(script: Script) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"script": script})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
