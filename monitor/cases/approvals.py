"""What waits for whom: the pending resolutions as one person sees them.

The same clearance rules that `approve_resolution` enforces decide which requests a person
could approve now (their role's limits, their daily limit, the $500 rule, never their own),
so the count on the menu, the notice and the Approve buttons promise nothing the service
would then refuse. Each request also carries one short sentence saying why it waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor, allowed
from monitor.cases.detail import ResolutionView, pending_approvals
from monitor.cases.policy import approver_roles, breaches
from monitor.cases.resolutions import granted_today
from monitor.config import ClearanceSettings
from monitor.db.models import User
from monitor.db.types import utcnow
from monitor.vocab import Permission, Role
from monitor.wording import a


@dataclass(frozen=True)
class Waiting:
    request: ResolutionView
    why: str  # why it waits for approval, one sentence
    can_approve: bool  # by this person, now
    needs: str  # when they cannot: who can, or why not ("your own request")


def _roles(roles: tuple[Role, ...]) -> str:
    if not roles:
        return "nobody under the current policy"
    names = [a(r) for r in roles[:1]] + list(roles[1:])
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def why_waiting(policy: ClearanceSettings, requester_role: Role, r: ResolutionView) -> str:
    """The requester's first broken rule, as a sentence (the rule names stay in the audit)."""
    found = breaches(
        policy, requester_role, r.action, r.amount,
        order_value=r.order_value, granted_today=Decimal(0),
    )  # fmt: skip
    if not found:  # the daily limit of that day, or a policy changed since
        return f"It was over {a(requester_role)}'s clearance when requested."
    message = found[0].message
    return message[:1].upper() + message[1:] + "."


def approvals_for(
    session: Session, actor: Actor, policy: ClearanceSettings, now: datetime | None = None
) -> list[Waiting]:
    """Every pending request, oldest first, with whether `actor` may approve it now."""
    pending = pending_approvals(session)
    if not pending:
        return []
    roles = dict(
        session.execute(
            select(User.id, User.role).where(User.id.in_({r.requested_by_id for r in pending}))
        ).all()
    )
    may = allowed(actor, Permission.RESOLUTION_APPROVE)
    granted = granted_today(session, actor.user_id, now or utcnow()) if may else Decimal(0)
    found = []
    for r in pending:
        who = approver_roles(policy, r.action, r.amount, r.order_value)
        needs = f"needs {_roles(who)}"
        if not may:
            can = False
        elif r.requested_by_id == actor.user_id:
            can, needs = False, "your own request: someone else approves it"
        else:
            mine = breaches(
                policy, actor.role, r.action, r.amount,
                order_value=r.order_value, granted_today=granted, as_approver=True,
            )  # fmt: skip
            can = not mine
            if mine and actor.role in who:  # the role could, but not today: say why
                needs = f"{mine[0].message}; {needs}"
        why = why_waiting(policy, roles.get(r.requested_by_id, Role.AGENT), r)
        found.append(Waiting(r, why, can, "" if can else needs))
    return found


def waiting_for(
    session: Session, actor: Actor, policy: ClearanceSettings, now: datetime | None = None
) -> list[ResolutionView]:
    """The requests `actor` could approve right now: the number on the Approvals menu item."""
    return [w.request for w in approvals_for(session, actor, policy, now) if w.can_approve]
