"""What a command needs: settings, the database engine and a session factory, built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.cases.sla import SlaPolicy
from monitor.config import Settings
from monitor.db.engine import make_engine, session_factory
from monitor.scoring.loader import load_text_model
from monitor.scoring.model import TextModel
from monitor.secrets import protect_settings
from monitor.settings import audit_key, load_settings


@dataclass
class AppContext:
    settings: Settings
    _schema: tuple[str | None, str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        protect_settings(self.settings)  # before any source, route or error can print one

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database.url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine, audit_key=audit_key(self.settings.audit))

    def upgrade_schema(self) -> tuple[str | None, str]:
        """Create or upgrade the schema once per context: the one place commands migrate.

        Returns (revision before or None, revision after), as `monitor init` reports them.
        """
        if self._schema is None:
            from monitor.db.migrate import upgrade  # alembic: only commands that migrate load it

            self._schema = upgrade(self.engine)
        return self._schema

    @cached_property
    def sla(self) -> SlaPolicy:
        """The configured first-response rule: every command that stores posts passes it on,
        so replayed, demo and polled posts get the `[sla]` hours, not the built-in ones."""
        return SlaPolicy(self.settings.sla)

    @property
    def model(self) -> TextModel:
        return load_text_model(self.settings.model)


class LazyContext:
    """What CLI commands receive: settings are read when a command needs them, so `--help`
    works even with a broken config file."""

    def __init__(self, config_path: Path | None) -> None:
        self.config_path = config_path
        self._app: AppContext | None = None

    @property
    def app(self) -> AppContext:
        if self._app is None:
            self._app = AppContext(load_settings(self.config_path))
        return self._app
