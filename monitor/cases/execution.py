"""Carrying out approved resolutions, exactly once.

The local ledger is part of our database: its entry commits in the same transaction as the
decision, so a resolution is either approved and paid, or neither. An outside order system
gets an `order_calls` row instead, sent after the decision commits through the claim, call,
record path of `monitor.outbound`, with the resolution's idempotency key on every attempt.
A call that failed for good, or whose process stopped mid-call ("unknown"), waits for
someone with clearance to retry it from the case page; the retry is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor import outbound, submissions
from monitor.auth.permissions import SYSTEM, Actor, PermissionDenied, require
from monitor.cases import audit
from monitor.cases.audit_money import money_fields
from monitor.cases.order_system import OrderSystem, OrderSystemError, ResolutionOrder
from monitor.cases.policy import approver_roles
from monitor.config import ClearanceSettings, OrderSystemSettings
from monitor.db.models import Order, OrderCall, Resolution
from monitor.db.types import utcnow
from monitor.errors import UserFacingError
from monitor.vocab import CallStatus, Permission, ResolutionStatus

PENDING, APPROVED = ResolutionStatus.PENDING_APPROVAL, ResolutionStatus.APPROVED
EXECUTED, REJECTED = ResolutionStatus.EXECUTED, ResolutionStatus.REJECTED
ORDER_CALLS = outbound.Lifecycle(OrderCall)


def _order(resolution: Resolution) -> ResolutionOrder:
    return ResolutionOrder(
        idempotency_key=resolution.idempotency_key,
        resolution_id=resolution.id,
        action=resolution.action,
        order_id=resolution.order_id,
        amount=resolution.amount,
        currency=resolution.currency,
        details=dict(resolution.details or {}),
    )


def _executed(
    session: Session, actor: Actor | str, resolution_id: int, reference: str, now: datetime
) -> None:
    resolution = session.get_one(Resolution, resolution_id)
    resolution.status, resolution.executed_at = EXECUTED, now
    resolution.external_reference = reference[:100]
    audit.record(
        session, actor, "resolution.execute", "resolution", resolution_id,
        before={"status": APPROVED},
        after=money_fields(resolution) | {"status": EXECUTED, "reference": reference}, at=now,
    )  # fmt: skip


def carry_out(
    session: Session, actor: Actor, resolution: Resolution, system: OrderSystem, now: datetime
) -> bool:
    """Execute now (in-database ledger: True) or queue the outside call (False)."""
    if system.in_database:
        reference = system.execute(_order(resolution))
        _executed(session, actor, resolution.id, reference, now)
        return True
    session.add(OrderCall(resolution_id=resolution.id, status=CallStatus.QUEUED, created_at=now))
    session.flush()
    audit.record(
        session, actor, "resolution.execute_queued", "resolution", resolution.id,
        after=money_fields(resolution) | {"order_system": CallStatus.QUEUED.value}, at=now,
    )  # fmt: skip
    return False


def _on_record(session: Session, taken: outbound.Claim, status: str, error: str | None) -> None:
    call = session.get_one(OrderCall, taken.row_id)
    session.refresh(call)
    now = call.finished_at or utcnow()
    if status == outbound.SENT:
        _executed(session, SYSTEM, call.resolution_id, call.reference or "", now)
        return
    audit.record(
        session, SYSTEM, f"resolution.execute_{'retry' if status == CallStatus.QUEUED else status}",
        "resolution", call.resolution_id, after={"attempt": taken.attempt, "error": error},
    )  # fmt: skip


def run_order_calls(
    sessions: sessionmaker[Session],
    system: OrderSystem,
    settings: OrderSystemSettings,
    *,
    only: list[int] | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Send due order-system calls (all, or those of the resolutions in `only`). Safe to run
    in several processes; abandoned claims become `unknown`, never resent on their own."""
    policy, now = outbound.RetryPolicy.of(settings), now or utcnow()
    counts = {"unknown": len(outbound.recover_stale(sessions, ORDER_CALLS, policy, now,
                                                      on_recover=_on_record))}  # fmt: skip
    where = [OrderCall.resolution_id.in_(only)] if only is not None else []
    with sessions() as session:
        due = outbound.due(session, ORDER_CALLS, policy, now, where=where)
        orders = {
            call_id: _order(resolution)
            for call_id, resolution in session.execute(
                select(OrderCall.id, Resolution)
                .join(Resolution, Resolution.id == OrderCall.resolution_id)
                .where(OrderCall.id.in_(due))
            )
        }

    for call_id, order in orders.items():

        def call(_taken: outbound.Claim, order: ResolutionOrder = order) -> dict[str, Any]:
            try:
                reference = system.execute(order)
            except OrderSystemError as exc:
                raise outbound.CallFailed(str(exc), permanent=exc.permanent) from exc
            return {"reference": reference[:100], "finished_at": now}

        done = outbound.attempt(
            sessions, ORDER_CALLS, policy, call_id, call, now, on_record=_on_record
        )
        if done is not None:
            counts[done.status] = counts.get(done.status, 0) + 1
    return counts


def order_call(session: Session, resolution_id: int) -> OrderCall | None:
    return session.scalars(
        select(OrderCall).where(OrderCall.resolution_id == resolution_id)
    ).first()


def retry_execution(
    session: Session,
    actor: Actor,
    resolution_id: int,
    *,
    key: str,
    policy: ClearanceSettings,
    now: datetime | None = None,
) -> OrderCall:
    """Queue a failed or unknown order-system call again. Only someone whose clearance
    covers the resolution may do it; the same idempotency key goes out, so a first attempt
    that did reach the order system is not paid twice. Run `run_order_calls` after commit."""
    require(actor, Permission.RESOLUTION_APPROVE)
    now = now or utcnow()
    resolution = session.get(Resolution, resolution_id)
    call = order_call(session, resolution_id)
    if resolution is None or call is None or resolution.status != APPROVED:
        raise UserFacingError(f"resolution {resolution_id} has no order-system call to retry")
    order = session.get(Order, resolution.order_id) if resolution.order_id else None
    who = approver_roles(
        policy, resolution.action, resolution.amount, order.value if order is not None else None
    )
    if actor.role not in who:
        raise PermissionDenied(
            f"{actor.username} ({actor.role}) may not retry resolution {resolution_id}: it "
            f"needs the clearance to approve it ({', '.join(who) or 'nobody'})"
        )
    submissions.begin(session, key, "resolution.retry", actor, case_id=resolution.case_id)
    before = {"order_call": call.status, "attempts": call.attempts, "error": call.error}
    if not outbound.requeue(session, ORDER_CALLS, call.id, now):
        raise UserFacingError(
            f"the order-system call of resolution {resolution_id} is {call.status}: only a "
            "failed or unknown call can be retried"
        )
    audit.record(
        session, actor, "resolution.retry", "resolution", resolution_id,
        before=before, after={"order_call": CallStatus.QUEUED.value}, at=now,
    )  # fmt: skip
    session.expire(call)
    submissions.finish(session, key, f"order-system call of resolution #{resolution_id} retried")
    return call
