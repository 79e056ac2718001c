"""Where the tests find PostgreSQL, and an engine bound to one schema (one schema per run)."""

from __future__ import annotations

import os

from sqlalchemy import Engine

from monitor.db.engine import make_engine

POSTGRES_URL = os.environ.get(
    "MONITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


def postgres_engine(schema: str) -> Engine:
    return make_engine(postgres_url(schema))
