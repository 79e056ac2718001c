from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import POSTGRES_URL, postgres_engine
from sqlalchemy import Engine, create_engine, inspect, text

from monitor.db.engine import make_engine
from monitor.db.migrate import current_revision, upgrade
from monitor.db.models import Base

EXPECTED_TABLES = {t.name for t in Base.metadata.sorted_tables}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with nothing in it, not even the migrations table."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("postgres_schema")  # skips or fails when PostgreSQL is absent
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = postgres_engine(schema)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_upgrade_from_empty_creates_every_table_and_is_idempotent(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    before, after = upgrade(empty_engine)
    assert before is None and after
    tables = set(inspect(empty_engine).get_table_names())
    assert tables >= EXPECTED_TABLES
    assert current_revision(empty_engine) == after
    assert upgrade(empty_engine) == (after, after)  # a second run changes nothing


def test_migrations_match_the_models(empty_engine: Engine) -> None:
    """A model change without a migration would make `monitor init` build the wrong schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
