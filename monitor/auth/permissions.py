"""Role permissions. Every service that changes or exports data calls `require` first, so the
dashboard, the CLI and any script obey the same rules."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.errors import UserFacingError
from monitor.vocab import Permission, Role

_WORKERS = frozenset({Role.AGENT, Role.SENIOR, Role.SUPERVISOR, Role.ADMIN})
_LEADS = frozenset({Role.SENIOR, Role.SUPERVISOR, Role.ADMIN})

PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.QUEUE_VIEW: frozenset(Role),
    Permission.CASE_WORK: _WORKERS,
    Permission.CASE_ASSIGN: _LEADS,
    # Which customer a social author is decides whose orders and money a case touches.
    Permission.CUSTOMER_LINK: _LEADS,
    Permission.RESOLUTION_REQUEST: _WORKERS,
    Permission.RESOLUTION_APPROVE: _LEADS,
    Permission.REPORTS_EXPORT: frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN}),
    Permission.CONNECTORS_VIEW: frozenset(Role),
    Permission.ALERTS_MANAGE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    Permission.USERS_MANAGE: frozenset({Role.ADMIN}),
    Permission.TEMPLATES_MANAGE: frozenset({Role.ADMIN}),  # canned replies (cases/templates.py)
    Permission.AUDIT_VIEW: frozenset({Role.SUPERVISOR, Role.ADMIN}),
}


class PermissionDenied(UserFacingError):
    """The acting user's role does not allow this; the message says who can."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or process) acting; recorded in the audit log."""

    user_id: int | None
    username: str
    role: Role


SYSTEM = Actor(user_id=None, username="system", role=Role.ADMIN)


def allowed(actor: Actor, permission: Permission) -> bool:
    return actor.role in PERMISSIONS[permission]


def require(actor: Actor, permission: Permission) -> None:
    if not allowed(actor, permission):
        roles = ", ".join(r for r in Role if r in PERMISSIONS[permission])
        raise PermissionDenied(
            f"{actor.username} ({actor.role}) may not {permission.replace('.', ' ')}: "
            f"this needs one of these roles: {roles}"
        )
