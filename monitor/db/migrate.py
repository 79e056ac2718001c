"""Create or upgrade the schema with Alembic; safe to run any number of times, at once.

Every `monitor run`, `monitor poll` and `monitor init` migrates at start-up, so a team that
starts several processes together would race to create the same tables. The upgrade runs
under one lock (a PostgreSQL advisory lock held by the migrating transaction, a file lock
beside a SQLite file): the first process migrates, the others wait and then find nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from monitor.errors import UserFacingError
from monitor.locks import hold_lock

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK_NAME = "monitor:migrate"


class SchemaTooNew(UserFacingError):
    """The database was migrated by a newer version of the monitor than this one."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to the newest revision; returns (revision before or None, revision after)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    script = ScriptDirectory.from_config(config)
    with engine.begin() as connection, hold_lock(connection, LOCK_NAME):
        current = MigrationContext.configure(connection).get_current_heads()
        _refuse_unknown(script, current, engine)
        before = "+".join(sorted(current))
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    # Feature branches of the schema may each add a head; report them as one string.
    return before or None, "+".join(sorted(script.get_heads()))


def _refuse_unknown(script: ScriptDirectory, current: tuple[str, ...], engine: Engine) -> None:
    """A revision this code has no file for was written by a newer version: never touch it."""
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = sorted(set(current) - known)
    if unknown:
        where = engine.url.render_as_string(hide_password=True)
        newest = "+".join(sorted(script.get_heads()))
        raise SchemaTooNew(
            f"The database {where} has schema revision {'+'.join(unknown)}, newer than this "
            f"version of the monitor knows (newest {newest}): upgrade the monitor on this "
            "machine, or point it at another database."
        )


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return "+".join(sorted(heads)) or None
