"""Append-only, hash-chained audit log.

Each entry's hash covers its own content and the previous entry's hash, so editing or deleting
any row breaks the chain from that row on, and `verify_chain` names where. Two processes may
append at once: the last hash is read under a lock (a transaction-level advisory lock on
PostgreSQL, SQLite's single write lock), so two entries can never claim the same parent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor
from monitor.db.models import AuditEntry
from monitor.db.types import utcnow

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x5EC0A0D17  # any constant shared by every writer of the audit log


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-native copy (Decimal and datetime as strings) so the hash survives a round trip."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(dict(value), default=str))
    return result


def entry_hash(
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        {
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before,
            "after": after,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_tail(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    else:
        # A no-op write makes SQLite take its write lock now, before the read below.
        session.execute(text("UPDATE audit_log SET id = id WHERE id = -1"))


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    entity: str,
    entity_id: object,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction; it commits or rolls back with the action."""
    _lock_tail(session)
    prev = session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    name = actor if isinstance(actor, str) else actor.username
    fields: dict[str, Any] = {
        "at": at or utcnow(),
        "actor": name[:80],
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "before": _plain(before),
        "after": _plain(after),
        "prev_hash": prev or GENESIS,
    }
    entry = AuditEntry(**fields, hash=entry_hash(**fields))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # id of the first entry whose hash or link does not match
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def describe(self) -> str:
        if self.intact:
            return f"{self.entries} entries, chain intact"
        return f"chain broken at entry {self.broken_at}: {self.problem}"


def verify_chain(session: Session, *, batch: int = 1000) -> ChainReport:
    """Recompute every hash in id order; read in batches so a long log fits in memory."""
    prev, count, last_id = GENESIS, 0, 0
    columns = (
        AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity,
        AuditEntry.entity_id, AuditEntry.before, AuditEntry.after, AuditEntry.prev_hash,
        AuditEntry.hash,
    )  # fmt: skip
    while True:
        rows = session.execute(
            select(*columns).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(count, None)
        for row in rows:
            if row.prev_hash != prev:
                return ChainReport(count, row.id, "does not follow the previous entry")
            expected = entry_hash(
                at=row.at,
                actor=row.actor,
                action=row.action,
                entity=row.entity,
                entity_id=row.entity_id,
                before=row.before,
                after=row.after,
                prev_hash=row.prev_hash,
            )
            if expected != row.hash:
                return ChainReport(count, row.id, "content was changed after it was written")
            prev, count, last_id = row.hash, count + 1, row.id


def entries_for(session: Session, entity: str, entity_id: object) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.id)
        )
    )


def recent_entries(session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
