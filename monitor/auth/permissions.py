"""Role permissions. Every service that changes or exports data calls `require` first, so the
dashboard, the CLI and any script obey the same rules."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.errors import UserFacingError

ROLE_ORDER = ("analyst", "agent", "senior", "supervisor", "admin")

PERMISSIONS: dict[str, frozenset[str]] = {
    "queue.view": frozenset(ROLE_ORDER),
    "case.work": frozenset({"agent", "senior", "supervisor", "admin"}),  # claim, note, link, reply
    "case.assign": frozenset({"senior", "supervisor", "admin"}),  # give a case to someone else
    # Say which customer a social author is: it decides whose orders and money a case touches.
    "customer.link": frozenset({"senior", "supervisor", "admin"}),
    "resolution.request": frozenset({"agent", "senior", "supervisor", "admin"}),
    "resolution.approve": frozenset({"senior", "supervisor", "admin"}),
    "reports.export": frozenset({"analyst", "supervisor", "admin"}),
    "connectors.view": frozenset(ROLE_ORDER),
    "alerts.manage": frozenset({"supervisor", "admin"}),
    "users.manage": frozenset({"admin"}),
    "templates.manage": frozenset({"admin"}),  # the brand's canned replies (cases/templates.py)
    "audit.view": frozenset({"supervisor", "admin"}),
}


class PermissionDenied(UserFacingError):
    """The acting user's role does not allow this; the message says who can."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or process) acting; recorded in the audit log."""

    user_id: int | None
    username: str
    role: str


SYSTEM = Actor(user_id=None, username="system", role="admin")


def allowed(actor: Actor, permission: str) -> bool:
    return actor.role in PERMISSIONS.get(permission, frozenset())


def require(actor: Actor, permission: str) -> None:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if not allowed(actor, permission):
        roles = ", ".join(r for r in ROLE_ORDER if r in PERMISSIONS[permission])
        raise PermissionDenied(
            f"{actor.username} ({actor.role}) may not {permission.replace('.', ' ')}: "
            f"this needs one of these roles: {roles}"
        )
