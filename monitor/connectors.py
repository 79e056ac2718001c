"""Health of each configured source, for the Connectors page and for alerts.

Read from `source_states`, which the poller updates in the same transaction as the cursor,
so what this shows is what the scheduler last did, even if the scheduler has since died.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.db.models import SourceState
from monitor.db.types import utcnow

STALE_AFTER = timedelta(minutes=15)
TOKEN_WARNING = timedelta(days=7)


@dataclass(frozen=True)
class SourceHealth:
    name: str
    platform: str
    state: str  # ok, warning, failing
    problems: list[str]
    last_success_at: datetime | None
    lag_seconds: float | None
    items_last_poll: int
    last_error: str | None
    last_error_at: datetime | None
    rate_limit_remaining: int | None
    rate_limit_reset_at: datetime | None
    token_expires_at: datetime | None
    rate_limit_limit: int | None = None
    next_poll_at: datetime | None = None
    consecutive_failures: int = 0
    catching_up_since: datetime | None = None
    backlog: int | None = None

    @property
    def budget(self) -> str:
        """ "449/450 until 12:15 UTC", or "-" when the platform sends no rate-limit headers."""
        if self.rate_limit_remaining is None:
            return "-"
        size = f"/{self.rate_limit_limit}" if self.rate_limit_limit is not None else ""
        until = f" until {self.rate_limit_reset_at:%H:%M} UTC" if self.rate_limit_reset_at else ""
        return f"{self.rate_limit_remaining}{size}{until}"

    @property
    def backlog_text(self) -> str:
        if self.catching_up_since is None:
            return "-"
        about = f"about {self.backlog}" if self.backlog is not None else "an unknown number of"
        return f"catching up: {about} posts behind"


def _assess(row: SourceState, now: datetime) -> tuple[str, list[str]]:
    failing, warnings = [], []
    if not row.healthy:
        streak = row.consecutive_failures or 0
        polls = f"{streak} polls in a row failed" if streak > 1 else "last poll failed"
        failing.append(f"{polls}: {row.last_error or 'unknown error'}")
    if row.last_success_at is None:
        warnings.append("never polled successfully")
    elif now - row.last_success_at > STALE_AFTER:
        minutes = int((now - row.last_success_at).total_seconds() // 60)
        warnings.append(f"no successful poll for {minutes} min: is `monitor run` running?")
    if row.token_expires_at is not None:
        if row.token_expires_at <= now:
            failing.append("the access token has expired: renew it")
        elif row.token_expires_at - now < TOKEN_WARNING:
            warnings.append(f"the access token expires on {row.token_expires_at:%Y-%m-%d}")
    if row.next_poll_at is not None and row.next_poll_at > now:
        why = "rate limit used up" if row.rate_limit_remaining == 0 else "spreading the budget"
        warnings.append(f"{why}: next poll at {row.next_poll_at:%H:%M:%S} UTC")
    if row.catching_up_since is not None:
        about = f"about {row.backlog}" if row.backlog is not None else "an unknown number of"
        warnings.append(
            f"catching up since {row.catching_up_since:%H:%M} UTC: {about} posts behind"
        )
    state = "failing" if failing else "warning" if warnings else "ok"
    return state, failing + warnings


def source_health(session: Session, now: datetime | None = None) -> list[SourceHealth]:
    now = now or utcnow()
    result = []
    for row in session.scalars(select(SourceState).order_by(SourceState.name)):
        state, problems = _assess(row, now)
        result.append(
            SourceHealth(
                name=row.name,
                platform=row.platform,
                state=state,
                problems=problems,
                last_success_at=row.last_success_at,
                lag_seconds=row.lag_seconds,
                items_last_poll=row.items_last_poll,
                last_error=row.last_error,
                last_error_at=row.last_error_at,
                rate_limit_remaining=row.rate_limit_remaining,
                rate_limit_reset_at=row.rate_limit_reset_at,
                token_expires_at=row.token_expires_at,
                rate_limit_limit=row.rate_limit_limit,
                next_poll_at=row.next_poll_at,
                consecutive_failures=row.consecutive_failures or 0,
                catching_up_since=row.catching_up_since,
                backlog=row.backlog,
            )
        )
    return result
