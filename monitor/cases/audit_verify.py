"""Checking the audit log: the chain, the signatures, a checkpoint, and the money it covers.

`verify_chain` reads every entry in id order (in batches, so a long log fits in memory) and
stops at the first one that is corrupt, out of chain, wrongly signed or at odds with a
checkpoint. Raw column values are parsed here, not by the ORM, so a damaged entry (invalid
JSON, an impossible time) is named instead of raising a traceback.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from monitor.cases.audit import GENESIS, entry_hash, sign
from monitor.cases.audit_money import check_money
from monitor.db.engine import AUDIT_KEY, AuditKey
from monitor.db.models import AuditEntry
from monitor.db.types import utcnow
from monitor.errors import UserFacingError


class CheckpointError(UserFacingError):
    """A checkpoint file cannot be read or is not one."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment, kept outside the database."""

    entries: int
    head_id: int
    head_hash: str
    at: datetime

    def to_json(self) -> str:
        return json.dumps(
            {
                "entries": self.entries,
                "head_id": self.head_id,
                "head_hash": self.head_hash,
                "at": self.at.isoformat(timespec="seconds"),
            },
            sort_keys=True,
        )

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            at = datetime.fromisoformat(data["at"])
            checkpoint = cls(int(data["entries"]), int(data["head_id"]), str(data["head_hash"]), at)
        except FileNotFoundError:
            raise CheckpointError(f"checkpoint file {path} not found") from None
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(
                f"{path} is not an audit checkpoint ({type(exc).__name__}: {exc}): "
                "use a file written by `monitor audit checkpoint`"
            ) from None
        if checkpoint.at.tzinfo is None or checkpoint.entries < 0:
            raise CheckpointError(f"{path} is not an audit checkpoint (bad time or count)")
        return checkpoint


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None = None  # id of the first bad entry, when one can be named
    problem: str = ""
    head_id: int | None = None
    head_hash: str = GENESIS
    signed: int = 0  # entries whose signature was checked
    notes: tuple[str, ...] = field(default=())

    @property
    def intact(self) -> bool:
        return not self.problem

    def describe(self) -> str:
        if self.intact:
            checked = f", {self.signed} signatures valid" if self.signed else ""
            return f"{self.entries} entries, chain intact{checked}"
        if self.broken_at is None:  # nothing left to point at: entries gone, or money rows
            return f"audit log does not check out: {self.problem}"
        return f"chain broken at entry {self.broken_at}: {self.problem}"


def _json_field(value: Any, name: str) -> dict[str, Any] | None:
    parsed = value  # PostgreSQL hands JSON back parsed, SQLite as text
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"`{name}` is not valid JSON ({exc.msg} at character {exc.pos})"
            ) from None
    if parsed is not None and not isinstance(parsed, dict):
        raise ValueError(f"`{name}` is JSON but not an object")
    return parsed


def _time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"`at` is not a time ({value[:40]!r})") from None
    if not isinstance(value, datetime):
        raise ValueError("`at` is missing")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def expected_hash(row: Any) -> str:
    """The hash an entry should have, from its raw column values; ValueError if corrupt."""
    for name in ("actor", "action", "entity", "entity_id", "prev_hash", "hash"):
        if not isinstance(getattr(row, name), str):
            raise ValueError(f"`{name}` is missing")
    return entry_hash(
        at=_time(row.at),
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=_json_field(row.before, "before"),
        after=_json_field(row.after, "after"),
        prev_hash=row.prev_hash,
    )


def _signature_problem(key: AuditKey, row: Any) -> str:
    if row.mac is None:
        if row.id < key.signed_from:
            return ""
        return (
            "is not signed: it was written or rewritten without the HMAC key (if the key was "
            "set after this entry was written, set audit.hmac_signed_from to the id of the "
            "first entry written with it)"
        )
    if not hmac.compare_digest(row.mac, sign(key.secret, row.hash)):
        return "its HMAC signature does not match: forged, rewritten, or signed with another key"
    return ""


def _checkpoint_problem(checkpoint: Checkpoint, row: Any) -> str:
    if (row.id, row.hash) == (checkpoint.head_id, checkpoint.head_hash):
        return ""
    return (
        f"entry number {checkpoint.entries} does not match the checkpoint of "
        f"{checkpoint.at:%Y-%m-%d %H:%M} UTC (entry {checkpoint.head_id}, hash "
        f"{checkpoint.head_hash[:12]}...): the log before it was rewritten"
    )


_COLUMNS = (
    AuditEntry.id,
    type_coerce(AuditEntry.at, Text).label("at"),
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_id,
    type_coerce(AuditEntry.before, Text).label("before"),
    type_coerce(AuditEntry.after, Text).label("after"),
    AuditEntry.prev_hash,
    AuditEntry.hash,
    AuditEntry.mac,
)


def verify_chain(
    session: Session,
    *,
    checkpoint: Checkpoint | None = None,
    money: bool = True,
    batch: int = 1000,
) -> ChainReport:
    """Check the whole log; signatures are checked with the session's key, when it has one."""
    key: AuditKey | None = session.info.get(AUDIT_KEY)
    prev, count, last_id, signed, unsigned_first = GENESIS, 0, 0, 0, 0
    notes: list[str] = []

    def broken(row_id: int | None, problem: str) -> ChainReport:
        return ChainReport(count, row_id, problem, last_id or None, prev, signed, tuple(notes))

    while True:
        rows = session.execute(
            select(*_COLUMNS).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        for row in rows:
            try:
                expected = expected_hash(row)
            except ValueError as exc:
                return broken(row.id, f"the entry is corrupt: {exc}")
            if row.prev_hash != prev:
                return broken(row.id, "does not follow the previous entry (one was deleted, "
                              "inserted or moved before it)")  # fmt: skip
            if expected != row.hash:
                return broken(row.id, "content was changed after it was written")
            if key is not None:
                problem = _signature_problem(key, row)
                if problem:
                    return broken(row.id, problem)
                if row.mac is None:
                    unsigned_first += 1
                else:
                    signed += 1
            prev, count, last_id = row.hash, count + 1, row.id
            if checkpoint is not None and count == checkpoint.entries:
                problem = _checkpoint_problem(checkpoint, row)
                if problem:
                    return broken(row.id, problem)
        if len(rows) < batch:
            break
    if checkpoint is not None and count < checkpoint.entries:
        return broken(
            None,
            f"it has {count} entries but the checkpoint of {checkpoint.at:%Y-%m-%d %H:%M} UTC "
            f"recorded {checkpoint.entries} (head entry {checkpoint.head_id}): entries were "
            "deleted",
        )
    if unsigned_first:
        notes.append(
            f"{unsigned_first} entries predate the HMAC key (audit.hmac_signed_from); the "
            "signed entries after them cover them through the chain"
        )
    mismatch = check_money(session) if money else None
    if mismatch is not None:
        return broken(mismatch.entry_id, mismatch.message)
    return ChainReport(count, None, "", last_id or None, prev, signed, tuple(notes))


def checkpoint_of(report: ChainReport, *, now: datetime | None = None) -> Checkpoint:
    """Anchor exactly what a full verify just checked, never an unchecked or broken log."""
    if not report.intact:
        raise CheckpointError(f"no checkpoint written: {report.describe()}")
    return Checkpoint(report.entries, report.head_id or 0, report.head_hash, now or utcnow())
