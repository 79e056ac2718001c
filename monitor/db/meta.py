"""Facts about the database itself, kept in the `monitor_meta` table."""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.db.models import MetaSetting
from monitor.db.types import utcnow


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(MetaSetting, key)
    return row.value if row is not None else None


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(MetaSetting, key)
    if row is None:
        session.add(MetaSetting(key=key, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
    session.flush()
