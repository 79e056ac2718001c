"""vocabulary checks: each state, role, kind and platform column accepts only its listed values

Revision ID: 0014_vocabulary_checks
Revises: 0013_case_presence
Create Date: 2026-12-02 16:30:00

Existing rows are checked first: if any holds a value outside its list, nothing is changed
and the error names each bad row, so it can be fixed before upgrading again.
The values are copied here, not imported from `monitor.vocab`, so this revision keeps
meaning what it meant when a later one changes a list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitor.errors import UserFacingError

revision = "0014_vocabulary_checks"
down_revision = "0013_case_presence"
branch_labels = None
depends_on = None

_PLATFORMS = ("x", "facebook", "instagram")
_RESOLUTION_KINDS = (
    "refund", "replacement", "goodwill_credit", "callback", "escalation", "security_lock",
)  # fmt: skip
_CALL_STATUSES = ("queued", "sending", "sent", "failed", "unknown")

# table -> column -> allowed values
CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "users": {"role": ("analyst", "agent", "senior", "supervisor", "admin")},
    "authors": {"platform": _PLATFORMS},
    "cases": {
        "platform": _PLATFORMS,
        "status": ("new", "open", "waiting", "resolved", "closed"),
    },
    "posts": {"platform": _PLATFORMS, "kind": ("mention", "comment", "dm", "reply")},
    "resolutions": {
        "action": _RESOLUTION_KINDS,
        "status": ("pending_approval", "approved", "executed", "rejected"),
    },
    "ledger_entries": {"action": _RESOLUTION_KINDS},
    "model_feedback": {"kind": ("intent", "urgency")},
    "alerts": {"status": ("pending", "sending", "sent", "failed", "suppressed")},
    "outbox": {"channel": ("public", "dm"), "status": _CALL_STATUSES},
    "order_calls": {"status": _CALL_STATUSES},
    "report_runs": {"kind": ("daily", "weekly"), "status": ("running", "done", "failed")},
}
_SHOWN = 5  # bad rows named per column; the count says how many more


def _condition(column: str, allowed: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in allowed)})"


def _misfits(connection: sa.Connection) -> list[str]:
    """One line per column holding values outside its list, naming the first rows."""
    problems = []
    for table, columns in CHECKS.items():
        for column, allowed in columns.items():
            t = sa.table(table, sa.column("id"), sa.column(column))
            bad = t.c[column].not_in(allowed)
            count = connection.scalar(sa.select(sa.func.count()).select_from(t).where(bad))
            if not count:
                continue
            rows = connection.execute(
                sa.select(t.c.id, t.c[column]).where(bad).order_by(t.c.id).limit(_SHOWN)
            ).all()
            named = ", ".join(f"id {row_id} has {value!r}" for row_id, value in rows)
            more = f" and {count - len(rows)} more" if count > len(rows) else ""
            problems.append(f"{table}.{column}: {named}{more} (allowed: {', '.join(allowed)})")
    return problems


def _add_checks(connection: sa.Connection) -> None:
    for table, columns in CHECKS.items():
        present = {c["name"] for c in sa.inspect(connection).get_check_constraints(table)}
        wanted = {
            f"ck_{table}_{column}": _condition(column, allowed)
            for column, allowed in columns.items()
            if f"ck_{table}_{column}" not in present
        }
        if not wanted:
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in wanted.items():
                batch_op.create_check_constraint(op.f(name), condition)


def _add_checks_sqlite(connection: sa.Connection) -> None:
    """SQLite adds a CHECK only by rebuilding the table, and dropping the old copy would
    break every row pointing at it. So, as SQLite documents for such changes: foreign keys
    off, rebuild in one transaction, `foreign_key_check`, commit, foreign keys on again.
    The pragma works only outside a transaction, so the revisions before this one in the
    same run are committed first (they are complete)."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    if raw.in_transaction:
        raw.commit()
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        raw.execute("BEGIN")
        _add_checks(connection)
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise UserFacingError(f"rebuilding the tables broke foreign keys: {broken[:5]}")
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def upgrade() -> None:
    connection = op.get_bind()
    problems = _misfits(connection)
    if problems:
        raise UserFacingError(
            "The database holds values the monitor does not know, so the schema was not "
            "upgraded (nothing was changed): " + "; ".join(problems) + ". Correct or delete "
            "these rows, then start the monitor again."
        )
    if connection.dialect.name == "sqlite":
        _add_checks_sqlite(connection)
    else:
        _add_checks(connection)


def downgrade() -> None:
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
