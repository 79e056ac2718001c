"""What a command needs: settings, the database engine and a session factory, built once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.db.engine import make_engine, session_factory
from monitor.scoring.loader import load_text_model
from monitor.scoring.model import TextModel
from monitor.settings import Settings


@dataclass
class AppContext:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database.url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @property
    def model(self) -> TextModel:
        return load_text_model(self.settings.model)
