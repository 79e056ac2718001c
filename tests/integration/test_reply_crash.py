"""A sender killed between the platform call and its commit never sends the reply twice.

A worker process sends a queued reply through the real X source (tweepy, OAuth 1.0a) to a
local X API over real HTTP. The fake API counts every POST and, before answering, holds a
lock on the outbox row, so the worker is stuck recording the result when it gets SIGKILL.
Restarted workers must not post again: the reply waits as "unknown" until a person checks
the platform and asks for it to be sent again (which is audited).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from casework import make_user
from factories import add_scored_post
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from monitor.cases.replies import queue_reply, retry_reply, send_queued_replies
from monitor.db.models import AuditEntry, OutboxMessage
from monitor.db.types import utcnow
from monitor.sources.x import XSource
from monitor.submissions import new_key

REPO = Path(__file__).resolve().parents[2]
CREDS = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at",
         "access_token_secret": "ats"}  # fmt: skip
WORKER = """
import sys
from monitor.cases.replies import send_queued_replies
from monitor.db.engine import make_engine, session_factory
from monitor.sources.x import XSource
url, base = sys.argv[1], sys.argv[2]
source = XSource("x-fake", "1000", base_url=base, consumer_key="ck", consumer_secret="cs",
                 access_token="at", access_token_secret="ats")
print(send_queued_replies(session_factory(make_engine(url)), {"x-fake": source}), flush=True)
"""


class FakeX(ThreadingHTTPServer):
    """POST /2/tweets: counts each request. `hold`, if set, opens a database transaction
    before the 201 goes out; it is rolled back (on the same thread) once `release` is set."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts: list[dict[str, Any]] = []
        self.answered = threading.Event()
        self.release = threading.Event()
        self.hold: Callable[[], Connection] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeX

    def log_message(self, *_: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.posts.append(body)
        held = self.server.hold() if self.server.hold else None
        data = json.dumps({"data": {"id": f"19000000000000{len(self.server.posts):05d}"}})
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data.encode())
        self.server.answered.set()
        if held is not None:
            self.server.release.wait(60)
            held.rollback()
            held.close()


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    server = FakeX()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _hold_outbox_row(engine: Engine, message_id: int) -> Connection:
    """Open a transaction that blocks any write to the outbox row until it is closed."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection.execute(
            text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": message_id}
        )
    else:
        connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
    return connection


def test_killed_between_platform_call_and_commit_sends_once(
    db_url: str, engine: Engine, sessions: sessionmaker[Session], session: Session, fake_x: FakeX
) -> None:
    agent = make_user(session, "ann", "agent")
    post = add_scored_post(session, "1900000000000000001", "where is my parcel?", 70)
    post.source = "x-fake"
    assert post.case_id is not None
    message = queue_reply(
        session, agent, post.case_id, "Sorry! We are on it, please check your DMs.",
        channel="public", key=new_key(),
    )  # fmt: skip
    session.commit()

    fake_x.hold = lambda: _hold_outbox_row(engine, message.id)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, db_url, fake_x.url],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert fake_x.answered.wait(60), "the worker never called the platform"
        # The platform has posted the reply; the worker now waits to record it. Kill it there.
        time.sleep(1.0)
        assert worker.poll() is None, worker.communicate()[0]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        fake_x.release.set()
        if worker.poll() is None:
            worker.kill()
    fake_x.hold = None
    assert len(fake_x.posts) == 1
    assert fake_x.posts[0]["reply"] == {"in_reply_to_tweet_id": "1900000000000000001"}
    session.expire_all()
    stuck = session.get_one(OutboxMessage, message.id)
    assert (stuck.status, stuck.attempts, stuck.external_id) == ("sending", 1, None)

    # A restarted worker right away: the claim is recent, so it is left alone (no resend).
    source = XSource("x-fake", "1000", base_url=fake_x.url, **CREDS)
    again = send_queued_replies(sessions, {"x-fake": source})
    assert (again.sent, again.unknown) == (0, 0) and len(fake_x.posts) == 1
    # Later, the abandoned claim is recovered as unknown: still no second post.
    later = utcnow() + timedelta(minutes=11)
    recovered = send_queued_replies(sessions, {"x-fake": source}, now=later)
    assert (recovered.sent, recovered.unknown) == (0, 1) and len(fake_x.posts) == 1
    assert send_queued_replies(sessions, {"x-fake": source}, now=later).sent == 0
    session.expire_all()
    unknown = session.get_one(OutboxMessage, message.id)
    assert unknown.status == "unknown" and "check whether it went through" in (unknown.error or "")

    # A person checked X, found nothing, and sends it again: audited, and it goes out once.
    retry_reply(session, agent, message.id, key=new_key(), now=later)
    session.commit()
    assert send_queued_replies(sessions, {"x-fake": source}, now=later).sent == 1
    assert len(fake_x.posts) == 2
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "outbox").order_by(AuditEntry.id)
    ).all()
    assert actions == ["reply.unknown", "reply.requeue", "reply.sent"]
