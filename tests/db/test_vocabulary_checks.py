"""The vocabulary CHECK constraints: added to a database with data, refused (naming the bad
rows, changing nothing) when existing data does not fit, and enforced afterwards."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from pg import POSTGRES_URL, postgres_engine
from sqlalchemy import Engine, Enum, create_engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.db.engine import make_engine
from monitor.db.migrate import alembic_config, current_revision, upgrade
from monitor.db.models import Base, Case, Post, User
from monitor.demo.seed import load_demo
from monitor.errors import UserFacingError

BEFORE = "0013_case_presence"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (the shared test schema is already at the newest)."""
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'vocab.db'}")
        yield made
        made.dispose()
        return
    request.getfixturevalue("postgres_schema")  # skips or fails when PostgreSQL is absent
    schema = f"v_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    made = postgres_engine(schema)
    yield made
    made.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _migrate_to(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _seed(engine: Engine) -> None:
    """The demo world and two staff members, written while the columns were plain strings."""
    with Session(engine) as session, session.begin():
        load_demo(session, seed=7, customers=20, posts=40, days=3, now=NOW)
        session.execute(
            text(
                "INSERT INTO users (username, role, active, failed_logins, created_at) "
                "VALUES ('ana', 'agent', :t, 0, :now), ('sam', 'supervisor', :t, 0, :now)"
            ),
            {"t": True, "now": NOW},
        )


def _counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count(Post.id))) or 0,
            session.scalar(select(func.count(Case.id))) or 0,
            session.scalar(select(func.count(User.id))) or 0,
        )


def test_upgrade_keeps_every_row_that_fits(engine: Engine) -> None:
    _migrate_to(engine, BEFORE)
    _seed(engine)
    before = _counts(engine)
    assert before[0] > 0 and before[1] > 0

    upgrade(engine)

    assert _counts(engine) == before
    assert current_revision(engine) != BEFORE
    with Session(engine) as session:
        roles = set(session.scalars(select(User.role)))
    assert roles == {"agent", "supervisor"}


def test_upgrade_refuses_unknown_values_names_the_rows_and_changes_nothing(
    engine: Engine,
) -> None:
    _migrate_to(engine, BEFORE)
    _seed(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE users SET role = 'manager' WHERE username = 'sam'"))
        sam = connection.scalar(text("SELECT id FROM users WHERE username = 'sam'"))
        first_case = connection.scalar(text("SELECT min(id) FROM cases"))
        connection.execute(
            text("UPDATE cases SET status = 'pending' WHERE id = :id"), {"id": first_case}
        )

    with pytest.raises(UserFacingError) as refused:
        upgrade(engine)

    message = str(refused.value)
    assert f"users.role: id {sam} has 'manager'" in message
    assert f"cases.status: id {first_case} has 'pending'" in message
    assert "nothing was changed" in message
    assert current_revision(engine) == BEFORE
    with engine.connect() as connection:  # the bad rows are still there to be fixed
        assert connection.scalar(text("SELECT role FROM users WHERE id = :id"), {"id": sam}) == (
            "manager"
        )

    with engine.begin() as connection:
        connection.execute(text("UPDATE users SET role = 'supervisor' WHERE id = :id"), {"id": sam})
        connection.execute(
            text("UPDATE cases SET status = 'open' WHERE id = :id"), {"id": first_case}
        )
    upgrade(engine)
    assert current_revision(engine) != BEFORE


@pytest.mark.parametrize(
    ("table", "column", "bad"),
    [
        ("users", "role", "manager"),
        ("cases", "status", "pending"),
        ("posts", "platform", "replay"),
        ("posts", "kind", "tweet"),
    ],
)
def test_the_database_refuses_a_value_outside_the_list(
    engine: Engine, table: str, column: str, bad: str
) -> None:
    _migrate_to(engine, BEFORE)
    _seed(engine)
    upgrade(engine)
    with pytest.raises(IntegrityError, match=f"ck_{table}_{column}"), engine.begin() as c:
        c.execute(text(f"UPDATE {table} SET {column} = :bad"), {"bad": bad})  # noqa: S608


def test_every_vocabulary_column_is_checked_with_exactly_its_values(engine: Engine) -> None:
    """A value added to `monitor.vocab` without a migration would be refused by the database
    (or one removed would still be allowed): the models and the migrated schema must agree."""
    upgrade(engine)
    inspector = inspect(engine)
    expected = {
        f"ck_{table.name}_{column.name}": set(column.type.enums)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Enum)
    }
    assert len(expected) == 16
    found: dict[str, set[str]] = {}
    for table in Base.metadata.sorted_tables:
        for check in inspector.get_check_constraints(table.name):
            if check["name"] in expected:
                found[check["name"]] = set(re.findall(r"'([^']*)'", check["sqltext"]))
    assert found == expected
