"""Serialise a check-then-write (a limit check and its insert) across threads and processes.

Reading what was already granted and inserting the new grant must happen under one lock, or
two requests both read the old total and both pass. `serialise(session, "user:7", ...)`
takes that lock for the rest of the caller's transaction:

- PostgreSQL: a transaction-level advisory lock per name (`pg_advisory_xact_lock`), taken in
  sorted order so two transactions locking the same names cannot deadlock. Reads after it see
  every row committed by the previous holder (READ COMMITTED takes a new snapshot per
  statement).
- SQLite: `BEGIN IMMEDIATE`, SQLite's write lock, held until commit. The Python driver would
  otherwise run reads outside any transaction and only begin one at the first write, which
  is what let limit checks race. If the transaction already wrote something it already holds
  the write lock, so there is nothing more to take.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(name: str) -> int:
    """A stable signed 64-bit key (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def serialise(session: Session, *names: str) -> None:
    """Hold the named locks until the caller's transaction ends."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for key in sorted({lock_key(name) for name in names}):
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return
    driver = connection.connection.dbapi_connection
    if driver is not None and not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")
