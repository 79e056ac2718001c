"""Resolutions from request to execution, under the clearance policy.

A request that the requester's clearance covers is carried out at once; otherwise it waits
for someone else whose clearance covers it. Every refusal names the rule (its config key)
and the roles that can approve, so nobody has to guess why a button did nothing.

Each request and decision carries its form's idempotency key (`monitor.submissions`). Limit
checks read what was already granted and insert the new grant under one lock per user and
per order (`monitor.db.write_lock`), and a decision is a conditional UPDATE on the pending
status, so concurrent requests cannot pass a limit together and a request is decided once.
A resolution only ever touches an order of the case's verified customer.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from monitor import submissions
from monitor.auth.permissions import Actor, PermissionDenied, require
from monitor.cases import audit
from monitor.cases.audit_money import money_fields
from monitor.cases.execution import APPROVED, EXECUTED, PENDING, REJECTED, carry_out
from monitor.cases.order_system import OrderSystem
from monitor.cases.orders import case_customer
from monitor.cases.policy import ACTION_LABELS, MONETARY, Breach, approver_roles, breaches
from monitor.config import ACTIONS, Action, ClearanceSettings
from monitor.db.engine import rows_changed
from monitor.db.models import Case, CaseOrderLink, Order, Resolution, User
from monitor.db.types import utcnow
from monitor.db.write_lock import serialise
from monitor.errors import UserFacingError
from monitor.vocab import Permission
from monitor.wording import money

_LIVE = (PENDING, APPROVED, EXECUTED)  # statuses that count against an order's value
NEEDS_ORDER = frozenset({Action.REPLACEMENT, Action.REFUND})
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

    @property
    def message(self) -> str:
        r = self.resolution
        what = f"{ACTION_LABELS[r.action]} {money(r.amount) if r.amount else ''}".strip()
        if r.status == APPROVED:
            return f"{what} approved and sent to the order system; the case shows its outcome"
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


def _order_for(session: Session, case: Case, order_id: str | None) -> Order | None:
    """The order, if it is linked to the case and belongs to the case's verified customer."""
    if not order_id:
        return None
    linked = session.scalar(
        select(CaseOrderLink.id).where(
            CaseOrderLink.case_id == case.id, CaseOrderLink.order_id == order_id
        )
    )
    if linked is None:
        raise InvalidResolution(f"link order {order_id} to case {case.id} before resolving it")
    order = session.get_one(Order, order_id)
    customer, _how = case_customer(session, case)
    if customer is None:
        raise ResolutionRefused(
            f"case {case.id} has no verified customer, so no order of anyone can be resolved "
            "from it: link the author to their customer first (rule resolution.order_owner)"
        )
    if order.customer_id != customer.id:
        raise ResolutionRefused(
            f"order {order_id} belongs to another customer, not to this case's customer: a "
            "resolution may only touch the verified customer's own orders "
            "(rule resolution.order_owner)"
        )
    return order


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
    policy: ClearanceSettings,
    requested: str,
    amount: Decimal | float | str | None,
    details: dict[str, Any],
) -> tuple[Action, Decimal | None, dict[str, Any]]:
    try:
        action = Action(requested)
    except ValueError:
        choices = ", ".join(ACTIONS)
        raise InvalidResolution(f"unknown action {requested!r}: choose one of {choices}") from None
    details = dict(details)
    value: Decimal | None = None
    if action in MONETARY:
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
            if not value.is_finite():  # NaN survives quantize, then breaks every comparison
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise InvalidResolution(f"a {ACTION_LABELS[action]} needs an amount") from None
        if value <= 0:
            raise InvalidResolution(f"a {ACTION_LABELS[action]} needs an amount above zero")
    if action == Action.CALLBACK:
        details["phone"] = normalise_phone(str(details.get("phone", "")))
    if action == Action.ESCALATION and details.get("team") not in policy.specialist_teams:
        raise InvalidResolution(f"choose a specialist team: {', '.join(policy.specialist_teams)}")
    return action, value, details


def request_resolution(
    session: Session,
    actor: Actor,
    case_id: int,
    action: str,
    *,
    key: str,
    policy: ClearanceSettings,
    order_system: OrderSystem,
    amount: Decimal | float | str | None = None,
    order_id: str | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> RequestOutcome:
    """Request (and, within clearance, carry out) one resolution, once per submission `key`."""
    require(actor, Permission.RESOLUTION_REQUEST)
    if actor.user_id is None:
        raise InvalidResolution("resolutions must be requested by a signed-in user")
    now = now or utcnow()
    kind, value, clean = _validate(policy, action, amount, details or {})
    # The daily limit is per user and the order value per order: hold both while checking
    # and inserting, so concurrent requests see each other's grants.
    serialise(session, users=[actor.user_id], orders=[order_id])
    submissions.check(session, key)
    case = session.get(Case, case_id)
    if case is None:
        raise InvalidResolution(f"no case {case_id}")
    order = _order_for(session, case, order_id)
    if kind in NEEDS_ORDER and order is None:
        raise InvalidResolution(f"a {ACTION_LABELS[kind]} needs a linked order")
    if order is not None and value is not None:
        _check_order_value(session, order, value)
    order_value = order.value if order is not None else None
    found = breaches(
        policy, actor.role, kind, value,
        order_value=order_value, granted_today=granted_today(session, actor.user_id, now),
    )  # fmt: skip
    if found and not approver_roles(policy, kind, value, order_value):
        raise ResolutionRefused(
            "nobody's clearance covers this: " + "; ".join(b.describe() for b in found), found
        )
    submissions.begin(session, key, "resolution.request", actor, case_id=case.id)
    resolution = Resolution(
        case_id=case.id,
        order_id=order.id if order else None,
        action=kind,
        amount=value,
        currency=order.currency if order else "USD",
        status=PENDING if found else APPROVED,
        details=clean or None,
        reason=reason.strip(),
        requested_by=actor.user_id,
        idempotency_key=uuid.uuid4().hex,  # what the order system sees, on every attempt
        requested_at=now,
    )
    session.add(resolution)
    session.flush()
    audit.record(
        session, actor, "resolution.request", "resolution", resolution.id,
        after=_snapshot(resolution) | {"rules": [b.rule for b in found]}, at=now,
    )  # fmt: skip
    if found:
        outcome = RequestOutcome(resolution, executed=False, breaches=found)
    else:
        outcome = RequestOutcome(
            resolution, executed=carry_out(session, actor, resolution, order_system, now)
        )
    submissions.finish(session, key, f"#{resolution.id}: {outcome.message}")
    return outcome


def _snapshot(resolution: Resolution) -> dict[str, Any]:
    return money_fields(resolution) | {
        "case_id": resolution.case_id,
        "status": resolution.status,
        "details": resolution.details,
    }


def _pending(session: Session, resolution_id: int, actor: Actor) -> Resolution:
    """The resolution, re-read under its lock; refuses one that is no longer pending."""
    resolution = session.get(Resolution, resolution_id)
    if resolution is None:
        raise InvalidResolution(f"no resolution {resolution_id}")
    serialise(
        session, resolutions=[resolution_id], orders=[resolution.order_id], users=[actor.user_id]
    )
    session.refresh(resolution)
    return resolution


def _not_pending(session: Session, resolution: Resolution) -> InvalidResolution:
    who = session.get(User, resolution.decided_by) if resolution.decided_by else None
    by = f" by {who.username}" if who else ""
    return InvalidResolution(
        f"resolution {resolution.id} was already decided{by}: it is "
        f"{resolution.status.replace('_', ' ')}, nothing was changed"
    )


def _decide(
    session: Session,
    resolution: Resolution,
    actor: Actor,
    status: str,
    reason: str | None,
    now: datetime,
) -> None:
    """Pending -> `status`, exactly once: the UPDATE only matches a still-pending row."""
    decided = session.execute(
        update(Resolution)
        .where(Resolution.id == resolution.id, Resolution.status == PENDING)
        .values(status=status, decided_by=actor.user_id, decided_at=now, decision_reason=reason)
        .execution_options(synchronize_session=False)
    )
    session.refresh(resolution)
    if rows_changed(decided) != 1:
        raise _not_pending(session, resolution)


def _order_value(session: Session, resolution: Resolution) -> Decimal | None:
    order = session.get(Order, resolution.order_id) if resolution.order_id else None
    return order.value if order is not None else None


def approve_resolution(
    session: Session,
    actor: Actor,
    resolution_id: int,
    *,
    key: str,
    policy: ClearanceSettings,
    order_system: OrderSystem,
    reason: str = "",
    now: datetime | None = None,
) -> RequestOutcome:
    require(actor, Permission.RESOLUTION_APPROVE)
    now = now or utcnow()
    resolution = _pending(session, resolution_id, actor)
    submissions.check(session, key)
    if resolution.status != PENDING:
        raise _not_pending(session, resolution)
    case = session.get_one(Case, resolution.case_id)
    _order_for(session, case, resolution.order_id)  # the customer link may have changed
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
    submissions.begin(session, key, "resolution.approve", actor, case_id=resolution.case_id)
    _decide(session, resolution, actor, APPROVED, reason.strip() or None, now)
    audit.record(
        session, actor, "resolution.approve", "resolution", resolution.id,
        before={"status": PENDING},
        after=money_fields(resolution) | {"status": APPROVED, "reason": reason.strip()}, at=now,
    )  # fmt: skip
    outcome = RequestOutcome(
        resolution, executed=carry_out(session, actor, resolution, order_system, now)
    )
    submissions.finish(session, key, f"#{resolution.id}: {outcome.message}")
    return outcome


def reject_resolution(
    session: Session,
    actor: Actor,
    resolution_id: int,
    reason: str,
    *,
    key: str,
    now: datetime | None = None,
) -> Resolution:
    require(actor, Permission.RESOLUTION_APPROVE)
    now = now or utcnow()
    if not reason.strip():
        raise InvalidResolution("say why the resolution is rejected: the requester will read it")
    resolution = _pending(session, resolution_id, actor)
    submissions.check(session, key)
    if resolution.status != PENDING:
        raise _not_pending(session, resolution)
    if resolution.requested_by == actor.user_id:
        raise ResolutionRefused(
            "nobody rejects their own request (rule clearance.four_eyes): ask someone else, "
            "or leave a note on the case"
        )
    submissions.begin(session, key, "resolution.reject", actor, case_id=resolution.case_id)
    _decide(session, resolution, actor, REJECTED, reason.strip(), now)
    audit.record(
        session, actor, "resolution.reject", "resolution", resolution.id,
        before={"status": PENDING},
        after=money_fields(resolution) | {"status": REJECTED, "reason": reason.strip()}, at=now,
    )  # fmt: skip
    submissions.finish(session, key, f"resolution #{resolution.id} rejected")
    return resolution
