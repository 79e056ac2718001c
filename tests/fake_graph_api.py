"""A local Graph API server over real HTTP, for facebook-sdk tests that cross a process boundary.

It serves a Page's `posts` (none: the Page's comments are tested with `responses`) and its
Messenger `conversations`, most recently updated first, each with its newest messages
embedded (`messages.limit(25)`), paged with `paging.cursors.after` and `paging.next` like the
real API. The `after` cursor names the last conversation served, so it stays valid while
messages arrive; a conversation that gets a message jumps to the top, as on Facebook.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

PAGE = "111"
EPOCH = datetime(2026, 1, 2, 8, 0, tzinfo=UTC)


def graph_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class Conversation:
    id: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # newest first

    @property
    def updated(self) -> str:
        return self.messages[0]["created_time"]


@dataclass
class GraphScript:
    conversations: list[Conversation] = field(default_factory=list)
    page_size: int | None = None  # conversations a page; None: the request's `limit`
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    clock: datetime = EPOCH

    def message(self, conversation_id: str, text: str, sender: str) -> dict[str, Any]:
        """A new message in `conversation_id` (a new conversation if unknown), one second on."""
        with self.lock:
            self.clock += timedelta(seconds=1)
            found = next((c for c in self.conversations if c.id == conversation_id), None)
            if found is None:
                found = Conversation(conversation_id)
                self.conversations.append(found)
            item = {
                "id": f"m_{conversation_id}_{len(found.messages)}",
                "message": text,
                "created_time": graph_time(self.clock),
                "from": {"id": sender, "name": f"Customer {sender}"},
            }
            found.messages.insert(0, item)
            return item

    def ordered(self) -> list[Conversation]:
        with self.lock:
            return sorted(self.conversations, key=lambda c: (c.updated, c.id), reverse=True)


def make_conversations(script: GraphScript, count: int, messages: int = 2) -> int:
    """`count` conversations with `messages` each, oldest first; returns the messages made."""
    for n in range(count):
        for m in range(messages):
            script.message(f"t_{n}", f"help with my order, message {m}", str(7000 + n))
    return count * messages


class _Handler(BaseHTTPRequestHandler):
    script: GraphScript

    def log_message(self, *_: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.script.requests.append(self.path)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.endswith("/conversations"):
            self._send(self._conversations(query))
        elif parts.path.endswith("/messages"):
            self._send(self._messages(parts.path.split("/")[-2], query))
        else:
            self._send({"data": []})

    def _conversations(self, query: dict[str, str]) -> dict[str, Any]:
        ordered = self.script.ordered()
        after = query.get("after")
        if after:  # everything below the last one served, in the order as it is now
            mark = tuple(after.split("|", 1))
            ordered = [c for c in ordered if (c.updated, c.id) < mark]
        limit = self.script.page_size or int(query.get("limit", 25))
        chunk = ordered[:limit]
        data = [
            {"id": c.id, "updated_time": c.updated, "messages": _listing(c.messages, 25, c.id)}
            for c in chunk
        ]
        body: dict[str, Any] = {"data": data}
        if chunk:
            cursor = f"{chunk[-1].updated}|{chunk[-1].id}"
            body["paging"] = {"cursors": {"before": "b", "after": cursor}}
            if len(ordered) > len(chunk):
                following = {**query, "after": cursor}
                body["paging"]["next"] = f"http://graph.local/conversations?{urlencode(following)}"
        return body

    def _messages(self, conversation_id: str, query: dict[str, str]) -> dict[str, Any]:
        found = next((c for c in self.script.conversations if c.id == conversation_id), None)
        messages = list(found.messages) if found else []
        ids = [m["id"] for m in messages]
        after = query.get("after")
        rest = messages[ids.index(after) + 1 :] if after in ids else messages
        return _listing(rest, int(query.get("limit", 25)), conversation_id)

    def _send(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _listing(messages: list[dict[str, Any]], limit: int, conversation_id: str) -> dict[str, Any]:
    """A page of messages (newest first) with `paging.next` when more are left."""
    chunk = messages[:limit]
    body: dict[str, Any] = {"data": chunk}
    if len(messages) > limit:
        following = urlencode({"limit": limit, "after": chunk[-1]["id"]})
        body["paging"] = {"next": f"http://graph.local/{conversation_id}/messages?{following}"}
    return body


def serve_graph(script: GraphScript) -> ThreadingHTTPServer:
    handler = type("GraphHandler", (_Handler,), {"script": script})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
