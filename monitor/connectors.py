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


def _assess(row: SourceState, now: datetime) -> tuple[str, list[str]]:
    failing, warnings = [], []
    if not row.healthy:
        failing.append(f"last poll failed: {row.last_error or 'unknown error'}")
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
    if row.rate_limit_remaining == 0 and row.rate_limit_reset_at and row.rate_limit_reset_at > now:
        warnings.append(f"rate limit used up until {row.rate_limit_reset_at:%H:%M} UTC")
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
            )
        )
    return result
