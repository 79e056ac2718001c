"""A local X API v2 server over real HTTP, for tests that cross a process boundary.

It serves `GET /2/users/{id}/mentions` newest first with `since_id`, `until_id` and
`pagination_token`, and `GET /2/dm_events` newest first with `pagination_token`, like the real
API (a page token names the last item served, so it stays valid while new items arrive). It
can be scripted to fail: a status for the n-th request, a slow response (so a test can kill the
poller mid-poll), a malformed item. With `rate_limit` set, every answer carries X's
`x-rate-limit-limit/remaining/reset` headers for a window of `window` seconds per endpoint,
and a spent budget answers 429 until the window resets, as X does.
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
    tweets: list[dict[str, Any]]  # mentions, newest first
    page_size: int = 3
    statuses: dict[int, int] = field(default_factory=dict)  # request number -> HTTP status
    slow: dict[int, float] = field(default_factory=dict)  # request number -> seconds
    requests: list[str] = field(default_factory=list)
    slow_started: threading.Event = field(default_factory=threading.Event)
    dms: list[dict[str, Any]] = field(default_factory=list)  # DM events, newest first
    rate_limit: int | None = None  # requests per window and endpoint; None: no headers
    window: float = 900.0
    used: dict[str, int] = field(default_factory=dict)  # endpoint -> requests this window
    window_start: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(
        self, mentions: list[dict[str, Any]], dms: list[dict[str, Any]] | None = None
    ) -> None:
        """New items become visible at once (they go on top: newest first)."""
        with self.lock:
            self.tweets[:0] = mentions
            self.dms[:0] = dms or []


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


def make_dms(count: int, *, start: int = 1_800_000_000_000_000_000) -> list[dict[str, Any]]:
    """`count` DM events (MessageCreate) from many senders, newest first."""
    events = []
    for n in range(count):
        sender = str(500 + n % 50)
        events.append(
            {
                "id": str(start + n),
                "event_type": "MessageCreate",
                "text": f"private question number {n}",
                "sender_id": sender,
                "dm_conversation_id": f"1000-{sender}",
                "created_at": f"2026-01-02T11:{n % 60:02d}:00.000Z",
            }
        )
    return list(reversed(events))


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def log_message(self, *_: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        script = self.script
        with script.lock:
            script.requests.append(self.path)
            number = len(script.requests)
        if number in script.slow:
            script.slow_started.set()
            time.sleep(script.slow[number])
        endpoint = "dm_events" if urlsplit(self.path).path.endswith("/dm_events") else "mentions"
        budget = self._budget(endpoint)
        status = script.statuses.get(number, 200)
        if budget is not None and budget["x-rate-limit-remaining"] == "-1":
            budget["x-rate-limit-remaining"] = "0"
            status = 429
        if status == 429:
            reset = {"x-rate-limit-reset": str(int(time.time()) + 1)}
            self._send(429, {"title": "Too Many Requests"}, budget or reset)
            return
        if status != 200:
            self._send(status, {"title": "Server error"})
            return
        body = self._dm_page() if endpoint == "dm_events" else self._mention_page()
        self._send(200, body, budget or {"x-rate-limit-remaining": "400"})

    def _budget(self, endpoint: str) -> dict[str, str] | None:
        """This request's rate-limit headers; remaining "-1" means the budget was spent."""
        script = self.script
        if script.rate_limit is None:
            return None
        with script.lock:
            now = time.time()
            start = script.window_start.get(endpoint)
            if start is None or now >= start + script.window:
                script.window_start[endpoint], script.used[endpoint] = now, 0
            start = script.window_start[endpoint]
            script.used[endpoint] += 1
            remaining = script.rate_limit - script.used[endpoint]
        return {
            "x-rate-limit-limit": str(script.rate_limit),
            "x-rate-limit-remaining": str(max(remaining, -1)),
            "x-rate-limit-reset": str(int(start + script.window)),
        }

    def _query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _mention_page(self) -> dict[str, Any]:
        query = self._query()
        since = int(query.get("since_id", "0"))
        until = int(query.get("until_id", str(2**63)))
        below = int(query.get("pagination_token", str(2**63)))
        with self.script.lock:
            items = list(self.script.tweets)
        newer = [t for t in items if since < int(t.get("id", "0")) < min(until, below)]
        return self._listing(newer, "author_id")

    def _dm_page(self) -> dict[str, Any]:
        below = int(self._query().get("pagination_token", str(2**63)))
        with self.script.lock:
            items = list(self.script.dms)
        return self._listing([e for e in items if int(e["id"]) < below], "sender_id")

    def _listing(self, items: list[dict[str, Any]], author_key: str) -> dict[str, Any]:
        chunk = items[: self.script.page_size]
        authors = sorted({t[author_key] for t in chunk if author_key in t})
        users = [user(a, f"user{a}", 1000) for a in authors]
        meta: dict[str, Any] = {"result_count": len(chunk)}
        ids = [t["id"] for t in chunk if "id" in t]
        if ids:
            meta |= {"newest_id": ids[0], "oldest_id": ids[-1]}
        if len(items) > len(chunk) and ids:
            meta["next_token"] = ids[-1]
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
