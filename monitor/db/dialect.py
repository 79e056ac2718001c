"""Which of the two supported databases a session, engine or connection is on.

PostgreSQL and SQLite differ in locking (row locks and advisory locks against one writer at a
time) and in the INSERT that carries ON CONFLICT; code asks here instead of comparing dialect
names itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def is_postgres(target: Session | Engine | Connection) -> bool:
    """True on PostgreSQL; False on SQLite, the only other supported database."""
    bind = target.get_bind() if isinstance(target, Session) else target
    return bind.dialect.name == "postgresql"


def insert(target: Session | Engine | Connection, table: Any) -> postgresql.Insert | sqlite.Insert:
    """`INSERT` into `table` with this database's `on_conflict_do_nothing` / `_do_update`."""
    return postgresql.insert(table) if is_postgres(target) else sqlite.insert(table)
