"""When the outside order system fails: a timeout after it paid, and a refusal. The
resolution waits in the right state, every step is audited, someone with clearance can
retry, and the customer is never paid twice (the same idempotency key on every attempt)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from factories import T0
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.auth.permissions import Actor, PermissionDenied
from monitor.cases.execution import order_call, retry_execution, run_order_calls
from monitor.cases.order_system import LedgerOrderSystem, WebhookOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import approve_resolution, request_resolution
from monitor.config import ClearanceSettings, OrderSystemSettings
from monitor.db.models import AuditEntry, LedgerEntry, Resolution
from monitor.errors import UserFacingError
from monitor.submissions import new_key
from monitor.vocab import CallStatus, ResolutionStatus

ORDER_ID = "111-0000001-0000001"
POLICY = ClearanceSettings()
SETTINGS = OrderSystemSettings(kind="webhook", max_attempts=3, backoff_seconds=60)
NOW = T0 + timedelta(hours=1)


class OrderSystemServer(ThreadingHTTPServer):
    """Pays once per Idempotency-Key. `stall` answers arrive after the caller gave up (the
    payment itself is made); `refuse` answers are 422 and pay nothing."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.keys: list[str] = []
        self.payments: dict[str, str] = {}
        self.stall = 0
        self.refuse = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/resolutions"


class _Handler(BaseHTTPRequestHandler):
    server: OrderSystemServer

    def do_POST(self) -> None:
        json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers["Idempotency-Key"]
        self.server.keys.append(key)
        if self.server.refuse > 0:
            self.server.refuse -= 1
            self._answer(422, {"error": "order is locked"})
            return
        reference = self.server.payments.setdefault(key, f"pay-{len(self.server.payments) + 1}")
        if self.server.stall > 0:
            self.server.stall -= 1
            time.sleep(1.0)  # paid, but the answer comes too late
        self._answer(201, {"reference": reference})

    def _answer(self, status: int, body: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the caller timed out and hung up

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[OrderSystemServer]:
    server = OrderSystemServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def approved(session: Session, server: OrderSystemServer) -> tuple[int, dict[str, Actor]]:
    """A $650 refund an agent asked for and a supervisor approved: queued for the webhook."""
    people = {r: make_user(session, r, r) for r in ("agent", "senior", "supervisor")}
    dana = make_customer(session)
    case = make_case(session, "my $650 headphones never arrived", 90)
    link_author(session, case, dana)
    make_order(session, dana, ORDER_ID, "650.00")
    link_order(session, people["agent"], case.id, ORDER_ID, key=new_key())
    requested = request_resolution(
        session, people["agent"], case.id, "refund", amount="650", order_id=ORDER_ID,
        key=new_key(), policy=POLICY, order_system=LedgerOrderSystem(session), now=NOW,
    )  # fmt: skip
    session.commit()
    rid = requested.resolution.id
    outcome = approve_resolution(
        session, people["supervisor"], rid, key=new_key(), policy=POLICY, now=NOW,
        order_system=_webhook(server),
    )  # fmt: skip
    assert outcome.resolution.status == ResolutionStatus.APPROVED and not outcome.executed
    session.commit()
    return rid, people


def _webhook(server: OrderSystemServer) -> WebhookOrderSystem:
    return WebhookOrderSystem(server.url, timeout=0.3, retries=0)


def _trail(session: Session, rid: int) -> list[str]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "resolution", AuditEntry.entity_id == str(rid))
            .order_by(AuditEntry.id)
        )
    )


def test_a_timeout_after_payment_is_retried_with_the_same_key_and_paid_once(
    server: OrderSystemServer,
    session: Session,
    sessions: sessionmaker[Session],
    approved: tuple[int, dict[str, Actor]],
) -> None:
    rid, _people = approved
    system = _webhook(server)
    server.stall = 1

    assert run_order_calls(sessions, system, SETTINGS, now=NOW) == {"unknown": 0, "queued": 1}
    session.expire_all()
    resolution = session.get_one(Resolution, rid)
    call = order_call(session, rid)
    assert call is not None and call.status == CallStatus.QUEUED and call.attempts == 1
    assert "Timeout" in (call.error or "") and "safe to retry" in (call.error or "")
    assert resolution.status == ResolutionStatus.APPROVED and resolution.executed_at is None
    assert len(server.payments) == 1  # the order system did pay, though we never heard

    assert run_order_calls(sessions, system, SETTINGS, now=NOW) == {"unknown": 0}  # backoff
    later = NOW + timedelta(seconds=61)
    assert run_order_calls(sessions, system, SETTINGS, now=later) == {"unknown": 0, "sent": 1}
    session.expire_all()
    resolution = session.get_one(Resolution, rid)
    assert resolution.status == ResolutionStatus.EXECUTED
    assert resolution.external_reference == "pay-1"  # the first payment, recognised
    assert server.keys == [resolution.idempotency_key] * 2
    assert server.payments == {resolution.idempotency_key: "pay-1"}  # paid once
    assert session.scalar(select(func.count(LedgerEntry.id))) == 0  # not paid locally too
    assert _trail(session, rid) == [
        "resolution.request", "resolution.approve", "resolution.execute_queued",
        "resolution.execute_retry", "resolution.execute",
    ]  # fmt: skip


def test_a_refusal_fails_at_once_and_only_someone_with_clearance_retries_it(
    server: OrderSystemServer,
    session: Session,
    sessions: sessionmaker[Session],
    approved: tuple[int, dict[str, Actor]],
) -> None:
    rid, people = approved
    system = _webhook(server)
    server.refuse = 1

    # A 4xx answer is permanent: no automatic retry, the call fails on its first attempt.
    assert run_order_calls(sessions, system, SETTINGS, now=NOW) == {"unknown": 0, "failed": 1}
    session.expire_all()
    call = order_call(session, rid)
    assert call is not None and (call.status, call.attempts) == (CallStatus.FAILED, 1)
    assert "HTTP 422" in (call.error or "") and "order is locked" in (call.error or "")
    assert session.get_one(Resolution, rid).status == ResolutionStatus.APPROVED
    assert server.payments == {}
    later = NOW + timedelta(hours=1)
    assert run_order_calls(sessions, system, SETTINGS, now=later) == {"unknown": 0}

    # The agent who asked cannot push it through; a senior (whose clearance covers $650) can.
    with pytest.raises(PermissionDenied, match="senior, supervisor, admin"):
        retry_execution(session, people["agent"], rid, key=new_key(), policy=POLICY)
    session.rollback()
    retry_execution(session, people["senior"], rid, key=new_key(), policy=POLICY, now=later)
    session.commit()
    assert run_order_calls(sessions, system, SETTINGS, now=later) == {"unknown": 0, "sent": 1}
    session.expire_all()
    resolution = session.get_one(Resolution, rid)
    assert resolution.status == ResolutionStatus.EXECUTED
    assert server.payments == {resolution.idempotency_key: "pay-1"}
    assert server.keys == [resolution.idempotency_key] * 2

    # A call that went through cannot be retried into a second payment.
    with pytest.raises(UserFacingError, match="no order-system call to retry"):
        retry_execution(session, people["senior"], rid, key=new_key(), policy=POLICY, now=later)
    session.rollback()
    assert _trail(session, rid) == [
        "resolution.request", "resolution.approve", "resolution.execute_queued",
        "resolution.execute_failed", "resolution.retry", "resolution.execute",
    ]  # fmt: skip
