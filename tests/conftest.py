"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL runs whenever the local server answers; with MONITOR_REQUIRE_POSTGRES=1 (set by
CI) an unreachable server is an error instead of a skip, so CI always covers both backends.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from pg import POSTGRES_URL, postgres_engine, postgres_url
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import ModelSettings
from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import Base
from monitor.scoring.loader import load_text_model
from monitor.scoring.model import TextModel

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        return str(exc).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once, copy the file per test: fresh and fast."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


# Tables the migrations fill with rows (the shipped reply templates): a test's fresh database
# has them on PostgreSQL too, where tables are emptied between tests rather than re-migrated.
SEEDED_TABLES = ("reply_templates",)
_seed_rows: dict[str, list[dict[str, object]]] = {}


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    problem = _postgres_reachable()
    if problem:
        if os.environ.get("MONITOR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required but unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable ({problem}); CI sets MONITOR_REQUIRE_POSTGRES=1")
    schema = f"t_{uuid.uuid4().hex[:12]}"  # one schema per run: parallel runs don't collide
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = postgres_engine(schema)
    upgrade(engine)
    with engine.connect() as connection:
        for name in SEEDED_TABLES:
            table = Base.metadata.tables[name]
            rows = connection.execute(select(table).order_by(table.c.id)).mappings()
            _seed_rows[name] = [{k: v for k, v in row.items() if k != "id"} for row in rows]
    engine.dispose()
    yield schema
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """URL of a fresh, migrated, empty database (parametrised over both backends)."""
    if request.param == "sqlite":
        path = tmp_path / "monitor.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    schema = request.getfixturevalue("postgres_schema")
    engine = postgres_engine(schema)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        # The audit log refuses TRUNCATE (append-only); its owner lifts that for the reset.
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_truncate"))
        for name, rows in _seed_rows.items():
            if rows:
                connection.execute(insert(Base.metadata.tables[name]), rows)
    engine.dispose()
    yield postgres_url(schema)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of the optimised model per test run, shared by in-process and CLI tests."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def text_model(model_cache: Path) -> TextModel:
    """The real configured model (committed artifact, int8 runtime), loaded once."""
    return load_text_model(ModelSettings(cache_dir=str(model_cache)))


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    """HTTP faked at the requests layer; any request the test did not expect fails it."""
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    """Backoff sleeps a retry policy asked for, recorded instead of slept."""
    return []
