"""What someone who owns the database can do to the audit log, for the tampering tests.

The table refuses UPDATE and DELETE through triggers; its owner can lift them (PostgreSQL:
DISABLE TRIGGER, SQLite: drop and recreate), which is exactly the attacker the chain, the
HMAC and the checkpoint must still catch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from monitor.cases.audit import entry_hash, sign
from monitor.cases.audit_verify import expected_hash
from monitor.db.models import AuditEntry


@contextmanager
def owner_rights(session: Session) -> Iterator[None]:
    """Run tampering statements with the append-only triggers lifted, then commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        yield
        session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    else:
        triggers = session.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'"
            )
        ).all()
        for name, _ in triggers:
            session.execute(text(f'DROP TRIGGER "{name}"'))
        yield
        for _, sql in triggers:
            session.execute(text(sql))
    session.commit()


def execute(session: Session, statement: str, **params: Any) -> None:
    with owner_rights(session):
        session.execute(text(statement), params)


def rehash_from(session: Session, first_id: int, key: bytes | None = None) -> None:
    """Recompute every hash from `first_id` on, as an attacker who rewrote an entry would;
    with `key` the attacker also signs them with a (wrong) HMAC key."""
    with owner_rights(session):
        rows = session.execute(
            text("SELECT * FROM audit_log WHERE id >= :id ORDER BY id"), {"id": first_id}
        ).all()
        prev = session.execute(
            text("SELECT hash FROM audit_log WHERE id < :id ORDER BY id DESC LIMIT 1"),
            {"id": first_id},
        ).scalar()
        for row in rows:
            new = expected_hash(
                SimpleNamespace(**(row._asdict() | {"prev_hash": prev or "0" * 64}))
            )
            session.execute(
                text("UPDATE audit_log SET prev_hash = :p, hash = :h, mac = :m WHERE id = :id"),
                {"p": prev or "0" * 64, "h": new, "m": sign(key, new) if key else None,
                 "id": row.id},
            )  # fmt: skip
            prev = new


def forge(session: Session, action: str, entity: str, entity_id: str, after: dict[str, Any],
          actor: str, key: bytes | None = None) -> None:  # fmt: skip
    """Append an entry with a correct hash, written straight into the table."""
    head = session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    assert head is not None
    fields: dict[str, Any] = dict(
        at=head.at, actor=actor, action=action, entity=entity, entity_id=entity_id,
        before=None, after=after, prev_hash=head.hash,
    )  # fmt: skip
    digest = entry_hash(**fields)
    session.add(AuditEntry(**fields, hash=digest, mac=sign(key, digest) if key else None))
    session.commit()
