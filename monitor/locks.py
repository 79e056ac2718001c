"""One poller per source at a time, across processes and machines.

PostgreSQL: a session-level advisory lock held on its own connection; if the process dies the
connection drops and the lock with it, so a survivor takes the source over on its next tick.
SQLite (one machine by nature): an OS file lock beside the database file, released by the
kernel when the holder dies, even on kill -9.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, text

from monitor.db.dialect import is_postgres


def _lock_key(name: str) -> int:
    # A stable signed 64-bit key; Python's hash() changes between processes.
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def try_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Yield True while holding the lock called `name`, or False at once if someone else has it."""
    if is_postgres(engine):
        with engine.connect() as connection:
            key = _lock_key(name)
            got = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    connection.commit()
        return
    lock = FileLock(_lock_path(engine, name), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


@contextmanager
def hold_lock(connection: Connection, name: str, *, timeout: float = 600.0) -> Iterator[None]:
    """Wait for the lock called `name` and hold it until the block ends.

    PostgreSQL: a transaction-level advisory lock on `connection`, released when its transaction
    commits or rolls back (or the process dies). SQLite: the file lock beside the database.
    """
    if is_postgres(connection):
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(name)})
        yield
        return
    with FileLock(_lock_path(connection.engine, name), timeout=timeout):
        yield


def _lock_path(engine: Engine, name: str) -> Path:
    database = engine.url.database or ""
    base = Path(database) if database and database != ":memory:" else Path("var") / "memory"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    path = base.with_name(f"{base.name}.{safe}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
