"""Many processes start at once on an empty database: one migrates, the others wait for it.
A database migrated by a newer version is refused with one clear line, and left untouched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import POSTGRES_URL, postgres_url
from sqlalchemy import create_engine, inspect, text

from monitor.db.engine import make_engine
from monitor.db.migrate import SchemaTooNew, current_revision, upgrade
from monitor.db.models import Base

READY = "Polling 0 sources"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it (a fresh PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("postgres_schema")  # skips or fails when PostgreSQL is absent
    schema = f"l_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield postgres_url(schema)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _start(command: str, config: Path, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MONITOR_DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "--config", str(config), command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(process: subprocess.Popen[str]) -> str:
    """Lines of `monitor run` until it says it is polling, or until it exits."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if READY in line:
            break
    return "".join(seen)


def test_nine_processes_started_together_all_come_up(empty_url: str, tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text("[scheduler]\nscore_seconds = 3600\nalerts_seconds = 3600\n", "utf-8")
    # Nine long-running schedulers and three `init`s, all racing for an empty database.
    runs = [_start("run", config, empty_url) for _ in range(9)]
    inits = [_start("init", config, empty_url) for _ in range(3)]
    try:
        outputs = [_wait_ready(process) for process in runs]
        alive = [process.poll() is None for process in runs]
        init_outputs = [process.communicate(timeout=120)[0] for process in inits]
    finally:
        for process in runs:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
    assert all(READY in output for output in outputs), outputs
    assert all(alive), outputs
    assert [process.returncode for process in inits] == [0, 0, 0], init_outputs
    engine = make_engine(empty_url)
    try:
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
        assert current_revision(engine) is not None
    finally:
        engine.dispose()


def test_a_newer_schema_is_refused_and_left_alone(empty_url: str, tmp_path: Path) -> None:
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
            connection.execute(text("INSERT INTO alembic_version VALUES ('9999_future')"))
        with pytest.raises(SchemaTooNew, match=r"9999_future.*newer than this version"):
            upgrade(engine)
        assert current_revision(engine) == "9999_future"
    finally:
        engine.dispose()
    config = tmp_path / "monitor.toml"
    config.write_text("", "utf-8")
    process = _start("init", config, empty_url)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 2  # a refusal the user can act on
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and "upgrade the monitor" in lines[0], output
