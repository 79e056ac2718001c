"""One poll of one source: fetch, then store posts and the new cursor in one transaction.

A crash before the commit stores nothing and keeps the old cursor, so the next poll fetches the
same posts again; a crash after it has stored them with the cursor. Either way each post is
stored exactly once (the unique platform id is the backstop for every other race).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.cases.threads import SlaPolicy
from monitor.db.models import RejectedPayload, SourceState
from monitor.db.types import utcnow
from monitor.ingest import store_posts
from monitor.locks import try_lock
from monitor.secrets import mask
from monitor.sources.base import FetchResult, Source, SourceError
from monitor.text import clip, visible

log = logging.getLogger(__name__)

LAST_ERROR_LIMIT = 2000  # characters of an upstream error kept for the Connectors page


@dataclass
class PollOutcome:
    source: str
    status: str  # ok, partial, error, rate_limited, busy
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    message: str = ""

    def describe(self) -> str:
        counts = (
            f"fetched {self.fetched}, stored {self.stored}, duplicates {self.duplicates}, "
            f"rejected {self.rejected}"
        )
        return f"{self.source}: {self.status}; {counts}" + (
            f"; {self.message}" if self.message else ""
        )


def poll_source(
    engine: Engine,
    factory: sessionmaker[Session],
    source: Source,
    *,
    sla: SlaPolicy | None = None,
    now: datetime | None = None,
) -> PollOutcome:
    with try_lock(engine, f"poll:{source.name}") as locked:
        if not locked:
            return PollOutcome(source.name, "busy", message="another process is polling it")
        return _poll_locked(factory, source, sla or SlaPolicy(), now or utcnow())


def _poll_locked(
    factory: sessionmaker[Session], source: Source, sla: SlaPolicy, now: datetime
) -> PollOutcome:
    with factory() as session, session.begin():
        state = _state(session, source)
        if state.rate_limit_reset_at is not None and state.rate_limit_reset_at > now:
            until = state.rate_limit_reset_at.isoformat(timespec="seconds")
            return PollOutcome(source.name, "rate_limited", message=f"skipped until {until}")
        cursor = state.cursor
    try:
        result = source.fetch(cursor)
    except SourceError as error:
        _record_failure(factory, source, error, now)
        kind = "rate_limited" if error.retry_at else "error"
        return PollOutcome(source.name, kind, message=str(error))
    return _store(factory, source, result, sla, now)


def _state(session: Session, source: Source) -> SourceState:
    state = session.get(SourceState, source.name)
    if state is None:
        state = SourceState(name=source.name, platform=source.platform, cursor=None)
        session.add(state)
        session.flush()
    return state


def _store(
    factory: sessionmaker[Session],
    source: Source,
    result: FetchResult,
    sla: SlaPolicy,
    now: datetime,
) -> PollOutcome:
    with factory() as session, session.begin():
        stored = store_posts(session, result.posts, sla)
        for item in result.rejected:
            log.warning("%s: rejected an item: %s", source.name, item.reason)
            session.add(RejectedPayload(source=source.name, reason=item.reason, raw=item.raw))
        state = _state(session, source)
        if result.complete:
            state.cursor = result.cursor
        state.items_last_poll = len(result.posts)
        if result.posts:
            newest = max(post.created_at for post in result.posts)
            state.lag_seconds = max((now - newest).total_seconds(), 0.0)
        if result.rate_limit_remaining is not None:
            state.rate_limit_remaining = result.rate_limit_remaining
        state.rate_limit_reset_at = result.rate_limit_reset_at
        if result.token_expires_at is not None:
            state.token_expires_at = result.token_expires_at
        if result.error is None:
            state.healthy = True
            state.last_success_at = now
        else:
            _mark_error(state, result.error, now)
    outcome = PollOutcome(
        source.name,
        "ok" if result.complete else "partial",
        fetched=len(result.posts),
        stored=len(stored.new_post_ids),
        duplicates=stored.duplicates,
        rejected=len(result.rejected),
        message=str(result.error) if result.error else "",
    )
    log.info(outcome.describe())
    return outcome


def _record_failure(
    factory: sessionmaker[Session], source: Source, error: SourceError, now: datetime
) -> None:
    with factory() as session, session.begin():
        _mark_error(_state(session, source), error, now)
    level = logging.ERROR if error.permanent else logging.WARNING
    log.log(level, "%s: %s", source.name, error)


def _mark_error(state: SourceState, error: SourceError, now: datetime) -> None:
    state.last_error = clip(visible(mask(error)), LAST_ERROR_LIMIT)
    state.last_error_at = now
    if error.permanent:
        state.healthy = False  # a person must fix credentials; alerts pick this up
    if error.retry_at is not None:
        state.rate_limit_reset_at = error.retry_at
        state.rate_limit_remaining = 0
