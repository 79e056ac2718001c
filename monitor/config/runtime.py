"""How the service runs: the database, the scheduler's intervals, the dashboard's server and
the demo data."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from monitor.config.base import Section


class DatabaseSettings(Section):
    # Relative SQLite paths are resolved against the current directory.
    url: str = "sqlite:///var/monitor.db"

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(
                "must be a sqlite:/// path or a postgresql:// URL "
                "(e.g. postgresql://user@127.0.0.1:5432/monitor)"
            )
        return value


class SchedulerSettings(Section):
    score_seconds: float = Field(10.0, gt=0)  # how often new posts are scored
    alerts_seconds: float = Field(30.0, gt=0)  # alert rules, SLA checks and delivery
    # Sending queued replies and order-system calls; unset, they keep following
    # alerts_seconds, which paced them before they had their own key.
    outbox_seconds: float | None = Field(None, gt=0)
    reports_seconds: float = Field(300.0, gt=0)  # checks whether a scheduled report is due
    impostors_seconds: float = Field(60.0, gt=0)  # impostor checks of third-party replies
    # Polls in a row failing with a passing error (timeout, 5xx) that make a source unhealthy.
    unhealthy_after_failures: int = Field(3, ge=1, le=1000)

    @property
    def outbox_interval(self) -> float:
        return self.outbox_seconds or self.alerts_seconds


class DashboardSettings(Section):
    port: int = Field(8501, ge=1, le=65535)
    # Where `monitor dashboard` listens: localhost unless you publish it on purpose (behind
    # a reverse proxy with TLS on the same machine, or "0.0.0.0" on a trusted network).
    address: str = "127.0.0.1"
    page_size: int = Field(50, ge=5, le=1000)
    refresh_seconds: float = Field(30.0, ge=1, le=3600)  # how often the Queue table refreshes
    # What the browser sees of an unexpected error: "none" shows a generic message (details go
    # to the server log only); "full" shows tracebacks, for development.
    error_details: Literal["none", "type", "stacktrace", "full"] = "none"


class DemoSettings(Section):
    seed: int = 7
    customers: int = Field(60, ge=1)
    posts: int = Field(300, ge=1)
    days: int = Field(5, ge=1)
