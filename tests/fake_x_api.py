"""A local X API v2 server over real HTTP, for tests that cross a process boundary.

It serves `GET /2/users/{id}/mentions` newest first with `since_id` and `pagination_token`,
like the real API, and can be scripted to fail: a status for the n-th request, a slow
response (so a test can kill the poller mid-poll), a malformed item.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from x_api import tweet, user


@dataclass
class Script:
    tweets: list[dict[str, Any]]  # newest first
    page_size: int = 3
    statuses: dict[int, int] = field(default_factory=dict)  # request number -> HTTP status
    slow: dict[int, float] = field(default_factory=dict)  # request number -> seconds
    requests: list[str] = field(default_factory=list)
    slow_started: threading.Event = field(default_factory=threading.Event)


def make_tweets(count: int, *, start: int = 1_900_000_000_000_000_000) -> list[dict[str, Any]]:
    """`count` tweets with 19-digit ids, newest first, from a handful of authors."""
    tweets = []
    for n in range(count):
        author = str(100 + n % 4)
        minute = n % 60
        tweets.append(
            tweet(
                str(start + n),
                author,
                f"order problem number {n}",
                created_at=f"2026-01-02T10:{minute:02d}:00.000Z",
            )
        )
    return list(reversed(tweets))


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def log_message(self, *_: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        script = self.script
        script.requests.append(self.path)
        number = len(script.requests)
        if number in script.slow:
            script.slow_started.set()
            time.sleep(script.slow[number])
        status = script.statuses.get(number, 200)
        if status == 429:
            reset = int(time.time()) + 1
            self._send(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)})
            return
        if status != 200:
            self._send(status, {"title": "Server error"})
            return
        self._send(200, self._page(), {"x-rate-limit-remaining": "400"})

    def _page(self) -> dict[str, Any]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        since = int(query.get("since_id", "0"))
        offset = int(query.get("pagination_token", "0"))
        newer = [t for t in self.script.tweets if int(t.get("id", "0")) > since]
        chunk = newer[offset : offset + self.script.page_size]
        users = [user(a, f"user{a}", 1000) for a in sorted({t["author_id"] for t in chunk})]
        meta: dict[str, Any] = {"result_count": len(chunk)}
        ids = [t["id"] for t in chunk if "id" in t]
        if ids:
            meta |= {"newest_id": ids[0], "oldest_id": ids[-1]}
        if offset + self.script.page_size < len(newer):
            meta["next_token"] = str(offset + self.script.page_size)
        body: dict[str, Any] = {"meta": meta}
        if chunk:
            body |= {"data": chunk, "includes": {"users": users}}
        return body

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def serve(script: Script) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"script": script})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
