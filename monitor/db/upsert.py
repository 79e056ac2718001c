"""Dialect-aware INSERT ... ON CONFLICT for the two supported databases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from monitor.db import dialect


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> list[Any]:
    """Insert rows, skip those that clash on `keys`; return the inserted rows' (id, *keys).

    Doing the dedupe in the database (not a SELECT first) keeps it correct when two
    processes ingest the same post at the same moment.
    """
    if not rows:
        return []
    statement = (
        dialect.insert(session, table)
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(table.c.id, *(table.c[key] for key in keys))
    )
    # A parameter list (not .values(rows)) lets SQLAlchemy batch rows as "insertmanyvalues"
    # with a cached statement, instead of compiling one giant statement per call.
    return list(session.execute(statement, list(rows)).all())
