"""The audit log: every action, hash-chained, optionally signed, append-only in the database.

What each layer proves, and what it does not:

- The hash chain: each entry's hash covers its content and the previous entry's hash, so an
  edited, deleted or reordered entry breaks the chain where it happened. On its own it cannot
  see entries removed from the end, nor a rewrite that recomputes every later hash.
- The HMAC (`mac`): with a key from the environment (`audit.hmac_key_env`), each entry's hash
  is signed; someone who can write to the database but does not hold the key cannot recompute
  a valid chain or forge an entry.
- The checkpoint (`monitor audit checkpoint`): the head hash and count kept outside the
  database; `verify --checkpoint` then notices truncation (tail or everything) and rewrites.
- Triggers make the table append-only (UPDATE, DELETE and, on PostgreSQL, TRUNCATE are refused)
  for everyone who does not own it.

Two processes may append at once: the last hash is read under a lock (on PostgreSQL a lock on
the table that only writers of the log wait for, SQLite's single write lock), so two entries
never share a parent.
Verification lives in `monitor.cases.audit_verify`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor
from monitor.db.dialect import is_postgres
from monitor.db.engine import AUDIT_KEY, AuditKey
from monitor.db.models import AuditEntry
from monitor.db.types import utcnow

GENESIS = "0" * 64


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


def sign(key: bytes, entry_hash_value: str) -> str:
    """The entry's MAC: signing the hash signs the content and, through it, every earlier entry."""
    return hmac.new(key, entry_hash_value.encode("ascii"), hashlib.sha256).hexdigest()


def _utc(at: datetime) -> datetime:
    """The time as stored (UTC): hashing the caller's own offset would not survive a read back."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(UTC)


def _lock_tail(session: Session) -> None:
    if is_postgres(session):
        # A table lock, not an advisory one: advisory keys are shared by every schema of the
        # database, so two installations (or test runs) in one database would wait on each
        # other and could deadlock with their own locks. Readers are not blocked.
        session.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
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
        "at": _utc(at or utcnow()),
        "actor": name[:80],
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "before": _plain(before),
        "after": _plain(after),
        "prev_hash": prev or GENESIS,
    }
    digest = entry_hash(**fields)
    key: AuditKey | None = session.info.get(AUDIT_KEY)
    entry = AuditEntry(**fields, hash=digest, mac=sign(key.secret, digest) if key else None)
    session.add(entry)
    session.flush()
    return entry


def verify_chain(session: Session, **options: Any) -> Any:
    """Check the log: see `monitor.cases.audit_verify.verify_chain` (imported late, as it
    builds on this module)."""
    from monitor.cases.audit_verify import verify_chain as check

    return check(session, **options)


def recent_entries(session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
