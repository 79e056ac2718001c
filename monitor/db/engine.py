"""Engine and session factory. SQLite gets WAL and foreign keys; PostgreSQL uses psycopg 3."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs (psycopg2 is not installed)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the dashboard read while the scheduler writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


AUDIT_KEY = "audit_key"  # Session.info key: the audit log's AuditKey, when one is configured


@dataclass(frozen=True)
class AuditKey:
    """The audit log's HMAC key, and the id of the first entry it signed (older entries are
    covered through the chain by that one)."""

    secret: bytes
    signed_from: int = 1


def session_factory(engine: Engine, *, audit_key: AuditKey | None = None) -> sessionmaker[Session]:
    """Sessions carry the audit HMAC key in `info`, so every audit entry is signed without each
    caller passing it along."""
    return sessionmaker(engine, expire_on_commit=False, info={AUDIT_KEY: audit_key})


@contextmanager
def transaction(factory: Callable[[], Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    The one way to write: `with transaction(app.sessions) as session: ...`.
    """
    with factory() as session, session.begin():
        yield session


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: `Session.execute` is typed as returning a
    plain Result, but for those statements it is a CursorResult, which counts them."""
    return cast(CursorResult[Any], result).rowcount
