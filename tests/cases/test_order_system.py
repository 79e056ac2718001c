"""The webhook adapter against a real local HTTP server (a process boundary in miniature)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor import outbound
from monitor.auth.permissions import Actor, PermissionDenied
from monitor.cases.execution import (
    ORDER_CALLS,
    order_call,
    retry_execution,
    run_order_calls,
)
from monitor.cases.order_system import (
    LedgerOrderSystem,
    OrderSystemError,
    ResolutionOrder,
    WebhookOrderSystem,
)
from monitor.cases.orders import link_order
from monitor.cases.resolutions import approve_resolution, request_resolution
from monitor.config import ClearanceSettings, OrderSystemSettings
from monitor.db.models import AuditEntry, Resolution
from monitor.db.types import utcnow
from monitor.submissions import new_key


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


# -- through the claim, call, record path (monitor.outbound), with a real database ----------


SETTINGS = OrderSystemSettings(kind="webhook", max_attempts=2, backoff_seconds=60)


@pytest.fixture
def pending(session: Session) -> tuple[int, dict[str, Actor]]:
    """A $650 refund on Dana's case, waiting for approval; the people who may touch it."""
    people = {r: make_user(session, r, r) for r in ("agent", "senior", "supervisor")}
    dana = make_customer(session)
    case = make_case(session, "my $650 headphones never arrived", 90)
    link_author(session, case, dana)
    make_order(session, dana, ORDER.order_id or "", "650.00")
    link_order(session, people["agent"], case.id, ORDER.order_id or "", key=new_key())
    outcome = request_resolution(
        session, people["agent"], case.id, "refund", amount="650", order_id=ORDER.order_id,
        key=new_key(), policy=ClearanceSettings(), order_system=LedgerOrderSystem(session),
    )  # fmt: skip
    session.commit()
    return outcome.resolution.id, people


def _approve(session: Session, who: Actor, rid: int, system: WebhookOrderSystem) -> None:
    outcome = approve_resolution(
        session, who, rid, key=new_key(), policy=ClearanceSettings(), order_system=system
    )
    assert not outcome.executed and "sent to the order system" in outcome.message
    session.commit()


def test_approval_calls_the_order_system_after_commit_and_records_it(
    server: FakeOrderSystem,
    session: Session,
    sessions: sessionmaker[Session],
    pending: tuple[int, dict[str, Actor]],
) -> None:
    rid, people = pending
    system = WebhookOrderSystem(url(server), retries=0)
    _approve(session, people["supervisor"], rid, system)
    assert server.requests == []  # nothing is called inside the decision's transaction
    assert run_order_calls(sessions, system, SETTINGS) == {"unknown": 0, "sent": 1}
    assert run_order_calls(sessions, system, SETTINGS) == {"unknown": 0}  # once only
    session.expire_all()
    resolution = session.get_one(Resolution, rid)
    assert resolution.status == "executed" and resolution.external_reference == "pay-1"
    assert len(server.requests) == 1
    assert server.requests[0]["key"] == resolution.idempotency_key


def test_failed_call_backs_off_gives_up_and_is_retried_with_clearance(
    server: FakeOrderSystem,
    session: Session,
    sessions: sessionmaker[Session],
    pending: tuple[int, dict[str, Actor]],
) -> None:
    rid, people = pending
    system = WebhookOrderSystem(url(server), retries=0)
    _approve(session, people["supervisor"], rid, system)
    server.fail_first = 5
    now = utcnow()
    assert run_order_calls(sessions, system, SETTINGS, now=now) == {"unknown": 0, "queued": 1}
    assert run_order_calls(sessions, system, SETTINGS, now=now) == {"unknown": 0}  # backoff
    later = now + timedelta(seconds=61)
    assert run_order_calls(sessions, system, SETTINGS, now=later) == {"unknown": 0, "failed": 1}
    session.expire_all()
    call = order_call(session, rid)
    assert call is not None and (call.status, call.attempts) == ("failed", 2)
    assert "gave up after 2 attempts" in (call.error or "")
    assert session.get_one(Resolution, rid).status == "approved"  # not paid, not forgotten

    with pytest.raises(PermissionDenied, match="senior, supervisor, admin"):
        retry_execution(session, people["agent"], rid, key=new_key(), policy=ClearanceSettings())
    retry_execution(session, people["senior"], rid, key=new_key(), policy=ClearanceSettings())
    session.commit()
    server.fail_first = 0
    assert run_order_calls(sessions, system, SETTINGS, now=later)["sent"] == 1
    session.expire_all()
    assert session.get_one(Resolution, rid).status == "executed"
    assert len({r["key"] for r in server.requests}) == 1  # every attempt: the same key
    assert server.payments == {server.requests[0]["key"]: "pay-1"}
    trail = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "resolution").order_by(AuditEntry.id)
    ).all()
    assert trail == [
        "resolution.request", "resolution.approve", "resolution.execute_queued",
        "resolution.execute_retry", "resolution.execute_failed", "resolution.retry",
        "resolution.execute",
    ]  # fmt: skip


def test_interrupted_call_becomes_unknown_not_resent(
    server: FakeOrderSystem,
    session: Session,
    sessions: sessionmaker[Session],
    pending: tuple[int, dict[str, Actor]],
) -> None:
    rid, people = pending
    system = WebhookOrderSystem(url(server), retries=0)
    _approve(session, people["supervisor"], rid, system)
    call = order_call(session, rid)
    assert call is not None
    # A worker claimed the call and died before recording anything.
    assert outbound.claim(
        sessions, ORDER_CALLS, outbound.RetryPolicy.of(SETTINGS), call.id, utcnow()
    )
    later = utcnow() + timedelta(minutes=11)
    assert run_order_calls(sessions, system, SETTINGS, now=later) == {"unknown": 1}
    assert server.requests == []
    session.expire_all()
    assert order_call(session, rid).status == "unknown"  # type: ignore[union-attr]
