"""Resolutions from request to execution, under the clearance policy.

A request that the requester's clearance covers is carried out at once; otherwise it waits
for someone else whose clearance covers it. Every refusal names the rule (its config key)
and the roles that can approve, so nobody has to guess why a button did nothing.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor, PermissionDenied, require
from monitor.cases import audit
from monitor.cases.order_system import OrderSystem, OrderSystemError, ResolutionOrder
from monitor.cases.policy import (
    ACTION_LABELS,
    ACTIONS,
    MONETARY,
    Breach,
    ClearanceSettings,
    approver_roles,
    breaches,
    money,
)
from monitor.db.models import Case, CaseOrderLink, Order, Resolution
from monitor.db.types import utcnow
from monitor.errors import UserFacingError

PENDING, APPROVED, EXECUTED, REJECTED = "pending_approval", "approved", "executed", "rejected"
_LIVE = (PENDING, APPROVED, EXECUTED)  # statuses that count against an order's value
NEEDS_ORDER = frozenset({"refund", "replacement"})
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


class ResolutionRefused(PermissionDenied):
    """A clearance rule forbids this; `breaches` carry each rule and who can approve."""

    def __init__(self, message: str, breaches: list[Breach] | None = None) -> None:
        super().__init__(message)
        self.breaches = breaches or []


class InvalidResolution(UserFacingError):
    """The request itself is incomplete or impossible (bad phone, amount over order value)."""


@dataclass(frozen=True)
class RequestOutcome:
    resolution: Resolution
    executed: bool
    breaches: list[Breach] = field(default_factory=list)
    error: str = ""  # the order system failed; the resolution stays approved for a retry

    @property
    def message(self) -> str:
        r = self.resolution
        what = f"{ACTION_LABELS[r.action]} {money(r.amount) if r.amount else ''}".strip()
        if self.error:
            return f"{what} approved but not carried out yet: {self.error}"
        if self.executed:
            return f"{what} carried out (reference {r.external_reference})"
        rules = "; ".join(b.describe() for b in self.breaches)
        return f"{what} is waiting for approval: {rules}"


def normalise_phone(raw: str) -> str:
    """E.164-ish: a leading +, a country code, 8 to 15 digits; spaces and dashes dropped."""
    phone = _PHONE_SEPARATORS.sub("", raw or "")
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if not _E164.match(phone):
        raise InvalidResolution(
            f"{raw!r} is not a callable phone number: use the international format, "
            "e.g. +1 202 555 0143"
        )
    return phone


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)


def granted_today(session: Session, user_id: int | None, now: datetime) -> Decimal:
    """What a user granted since midnight UTC: own requests carried out without approval plus
    the resolutions they approved."""
    if user_id is None:
        return Decimal(0)
    start = _day_start(now)
    own = and_(
        Resolution.requested_by == user_id,
        Resolution.decided_by.is_(None),
        Resolution.requested_at >= start,
    )
    approved = and_(Resolution.decided_by == user_id, Resolution.decided_at >= start)
    total = session.scalar(
        select(func.coalesce(func.sum(Resolution.amount), 0)).where(
            Resolution.status.in_((APPROVED, EXECUTED)), or_(own, approved)
        )
    )
    return Decimal(total or 0)


def _order_for(session: Session, case_id: int, order_id: str | None) -> Order | None:
    if not order_id:
        return None
    linked = session.scalar(
        select(CaseOrderLink.id).where(
            CaseOrderLink.case_id == case_id, CaseOrderLink.order_id == order_id
        )
    )
    if linked is None:
        raise InvalidResolution(f"link order {order_id} to case {case_id} before resolving it")
    return session.get(Order, order_id)


def _check_order_value(
    session: Session, order: Order, amount: Decimal, exclude_id: int | None = None
) -> None:
    query = select(func.coalesce(func.sum(Resolution.amount), 0)).where(
        Resolution.order_id == order.id,
        Resolution.status.in_(_LIVE),
        Resolution.action.in_(MONETARY),
    )
    if exclude_id is not None:
        query = query.where(Resolution.id != exclude_id)
    already = Decimal(session.scalar(query) or 0)
    if amount + already > order.value:
        left = max(order.value - already, Decimal(0))
        raise InvalidResolution(
            f"{money(amount)} is more than order {order.id} can give back: the order is worth "
            f"{money(order.value)} and {money(already)} is already granted or pending, so at "
            f"most {money(left)} is left (rule resolution.order_value)"
        )


def _validate(
    policy: ClearanceSettings, action: str, amount: Decimal | None, details: dict[str, Any]
) -> tuple[Decimal | None, dict[str, Any]]:
    if action not in ACTIONS:
        raise InvalidResolution(f"unknown action {action!r}: choose one of {', '.join(ACTIONS)}")
    details = dict(details)
    if action in MONETARY:
        try:
            amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise InvalidResolution(f"a {ACTION_LABELS[action]} needs an amount") from None
        if amount <= 0:
            raise InvalidResolution(f"a {ACTION_LABELS[action]} needs an amount above zero")
    else:
        amount = None
    if action == "callback":
        details["phone"] = normalise_phone(str(details.get("phone", "")))
    if action == "escalation" and details.get("team") not in policy.specialist_teams:
        raise InvalidResolution(f"choose a specialist team: {', '.join(policy.specialist_teams)}")
    return amount, details


def request_resolution(
    session: Session,
    actor: Actor,
    case_id: int,
    action: str,
    *,
    policy: ClearanceSettings,
    order_system: OrderSystem,
    amount: Decimal | float | str | None = None,
    order_id: str | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> RequestOutcome:
    require(actor, "resolution.request")
    now = now or utcnow()
    case = session.get(Case, case_id)
    if case is None:
        raise InvalidResolution(f"no case {case_id}")
    value, clean = _validate(policy, action, amount, details or {})  # type: ignore[arg-type]
    order = _order_for(session, case_id, order_id)
    if action in NEEDS_ORDER and order is None:
        raise InvalidResolution(f"a {ACTION_LABELS[action]} needs a linked order")
    if order is not None and value is not None:
        _check_order_value(session, order, value)
    order_value = order.value if order is not None else None
    found = breaches(
        policy, actor.role, action, value,
        order_value=order_value, granted_today=granted_today(session, actor.user_id, now),
    )  # fmt: skip
    if found and not approver_roles(policy, action, value, order_value):
        raise ResolutionRefused(
            "nobody's clearance covers this: " + "; ".join(b.describe() for b in found), found
        )
    resolution = Resolution(
        case_id=case.id,
        order_id=order.id if order else None,
        action=action,
        amount=value,
        currency=order.currency if order else "USD",
        status=PENDING if found else APPROVED,
        details=clean or None,
        reason=reason.strip(),
        requested_by=actor.user_id if actor.user_id is not None else _system_user(session),
        idempotency_key=uuid.uuid4().hex,
        requested_at=now,
    )
    session.add(resolution)
    session.flush()
    audit.record(
        session, actor, "resolution.request", "resolution", resolution.id,
        after=_snapshot(resolution) | {"rules": [b.rule for b in found]}, at=now,
    )  # fmt: skip
    if found:
        return RequestOutcome(resolution, executed=False, breaches=found)
    error = _execute(session, actor, resolution, order_system, now)
    return RequestOutcome(resolution, executed=not error, error=error)


def _system_user(session: Session) -> int:
    raise InvalidResolution("resolutions must be requested by a signed-in user")


def _snapshot(resolution: Resolution) -> dict[str, Any]:
    return {
        "case_id": resolution.case_id,
        "order_id": resolution.order_id,
        "action": resolution.action,
        "amount": None if resolution.amount is None else str(resolution.amount),
        "status": resolution.status,
        "details": resolution.details,
    }


def _execute(
    session: Session, actor: Actor, resolution: Resolution, system: OrderSystem, now: datetime
) -> str:
    """Carry out an approved resolution; returns an error message, or '' on success."""
    try:
        reference = system.execute(
            ResolutionOrder(
                idempotency_key=resolution.idempotency_key,
                resolution_id=resolution.id,
                action=resolution.action,
                order_id=resolution.order_id,
                amount=resolution.amount,
                currency=resolution.currency,
                details=dict(resolution.details or {}),
            )
        )
    except OrderSystemError as exc:
        audit.record(
            session, actor, "resolution.execute_failed", "resolution", resolution.id,
            after={"error": str(exc)}, at=now,
        )  # fmt: skip
        return str(exc)
    resolution.status, resolution.executed_at = EXECUTED, now
    resolution.external_reference = reference[:100]
    audit.record(
        session, actor, "resolution.execute", "resolution", resolution.id,
        before={"status": APPROVED}, after={"status": EXECUTED, "reference": reference}, at=now,
    )  # fmt: skip
    return ""


def _pending(session: Session, resolution_id: int) -> Resolution:
    resolution = session.get(Resolution, resolution_id, with_for_update=True)
    if resolution is None:
        raise InvalidResolution(f"no resolution {resolution_id}")
    if resolution.status != PENDING:
        raise InvalidResolution(f"resolution {resolution_id} is {resolution.status}, not pending")
    return resolution


def _order_value(session: Session, resolution: Resolution) -> Decimal | None:
    order = session.get(Order, resolution.order_id) if resolution.order_id else None
    return order.value if order is not None else None


def approve_resolution(
    session: Session,
    actor: Actor,
    resolution_id: int,
    *,
    policy: ClearanceSettings,
    order_system: OrderSystem,
    reason: str = "",
    now: datetime | None = None,
) -> RequestOutcome:
    require(actor, "resolution.approve")
    now = now or utcnow()
    resolution = _pending(session, resolution_id)
    order_value = _order_value(session, resolution)
    who = approver_roles(policy, resolution.action, resolution.amount, order_value)
    if resolution.requested_by == actor.user_id:
        rule = Breach("clearance.four_eyes", "nobody approves their own request", who)
        raise ResolutionRefused(f"{rule.describe()}, other than you", [rule])
    found = breaches(
        policy, actor.role, resolution.action, resolution.amount,
        order_value=order_value, granted_today=granted_today(session, actor.user_id, now),
        as_approver=True,
    )  # fmt: skip
    if found:
        raise ResolutionRefused(
            f"{actor.username} ({actor.role}) cannot approve this: "
            + "; ".join(b.describe() for b in found),
            found,
        )
    resolution.status, resolution.decided_by, resolution.decided_at = APPROVED, actor.user_id, now
    resolution.decision_reason = reason.strip() or None
    audit.record(
        session, actor, "resolution.approve", "resolution", resolution.id,
        before={"status": PENDING}, after={"status": APPROVED, "reason": reason.strip()}, at=now,
    )  # fmt: skip
    error = _execute(session, actor, resolution, order_system, now)
    return RequestOutcome(resolution, executed=not error, error=error)


def reject_resolution(
    session: Session, actor: Actor, resolution_id: int, reason: str, *, now: datetime | None = None
) -> Resolution:
    require(actor, "resolution.approve")
    now = now or utcnow()
    if not reason.strip():
        raise InvalidResolution("say why the resolution is rejected: the requester will read it")
    resolution = _pending(session, resolution_id)
    if resolution.requested_by == actor.user_id:
        raise ResolutionRefused(
            "nobody rejects their own request (rule clearance.four_eyes): ask someone else, "
            "or leave a note on the case"
        )
    resolution.status, resolution.decided_by, resolution.decided_at = REJECTED, actor.user_id, now
    resolution.decision_reason = reason.strip()
    audit.record(
        session, actor, "resolution.reject", "resolution", resolution.id,
        before={"status": PENDING}, after={"status": REJECTED, "reason": reason.strip()}, at=now,
    )  # fmt: skip
    return resolution


def retry_execution(
    session: Session,
    actor: Actor,
    resolution_id: int,
    *,
    order_system: OrderSystem,
    now: datetime | None = None,
) -> RequestOutcome:
    """Carry out an approved resolution whose first attempt failed; the same idempotency key
    makes this safe even if the first attempt did reach the order system."""
    require(actor, "resolution.request")
    resolution = session.get(Resolution, resolution_id)
    if resolution is None or resolution.status != APPROVED:
        raise InvalidResolution(f"resolution {resolution_id} is not waiting to be carried out")
    error = _execute(session, actor, resolution, order_system, now or utcnow())
    return RequestOutcome(resolution, executed=not error, error=error)
