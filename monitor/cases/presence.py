"""Collision warnings: who else has a case open, and who is writing a reply on it.

Each open case page writes a heartbeat (one row per person and case, updated in place) when
it draws and every few seconds while it stays open; a reply box being edited stamps
`typing_at`. Rows older than `WINDOW` mean the person left, so nobody has to clean up after
a closed tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor, require
from monitor.db import dialect
from monitor.db.models import CasePresence, User
from monitor.db.types import utcnow
from monitor.vocab import Permission

WINDOW = timedelta(minutes=2)


@dataclass(frozen=True)
class Presence:
    username: str
    role: str
    seen_at: datetime
    typing: bool  # wrote in the reply box within WINDOW


def touch(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    typing: bool = False,
    replied: bool = False,
    now: datetime | None = None,
) -> None:
    """Record that `actor` has the case open (and is typing a reply, if `typing`; has just
    sent it, if `replied`: others stop seeing "is writing a reply")."""
    require(actor, Permission.QUEUE_VIEW)
    if actor.user_id is None:
        return  # the system never opens a case page
    now = now or utcnow()
    values: dict[str, object] = {"case_id": case_id, "user_id": actor.user_id, "seen_at": now}
    changes: dict[str, object] = {"seen_at": now}
    if typing:
        values["typing_at"] = changes["typing_at"] = now
    elif replied:
        values["typing_at"] = changes["typing_at"] = None
    # One statement, so two tabs of the same person cannot both insert the row.
    session.execute(
        dialect.insert(session, CasePresence)
        .values(values)
        .on_conflict_do_update(index_elements=["case_id", "user_id"], set_=changes)
    )


def others_here(
    session: Session, actor: Actor, case_id: int, *, now: datetime | None = None
) -> list[Presence]:
    """Everyone but `actor` seen on the case within WINDOW, those typing first."""
    require(actor, Permission.QUEUE_VIEW)
    since = (now or utcnow()) - WINDOW
    rows = session.execute(
        select(User.username, User.role, CasePresence.seen_at, CasePresence.typing_at)
        .join(User, User.id == CasePresence.user_id)
        .where(
            CasePresence.case_id == case_id,
            CasePresence.seen_at >= since,
            User.id != actor.user_id,
            User.active.is_(True),
        )
        .order_by(User.username)
    ).all()
    found = [
        Presence(name, role, seen, typing_at is not None and typing_at >= since)
        for name, role, seen, typing_at in rows
    ]
    return sorted(found, key=lambda p: not p.typing)
