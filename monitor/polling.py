"""One poll of one source: fetch, then store posts and the new cursor in one transaction.

A crash before the commit stores nothing and keeps the old cursor, so the next poll fetches the
same posts again; a crash after it has stored them with the cursor. Either way each post is
stored exactly once (the unique platform id is the backstop for every other race).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.cases.sla import SlaPolicy
from monitor.db.engine import transaction
from monitor.db.models import RejectedPayload, SourceState
from monitor.db.types import utcnow
from monitor.ingest import store_posts
from monitor.locks import try_lock
from monitor.secrets import mask
from monitor.sources.base import FetchResult, Source, SourceError
from monitor.text import clip, visible

log = logging.getLogger(__name__)
UNHEALTHY_AFTER = 3  # consecutive failed polls that make an outage
SPREAD_BELOW = 0.1  # share of a rate-limit window's budget below which polls are spread

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
    new_post_ids: list[int] = field(default_factory=list)

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
    unhealthy_after: int = UNHEALTHY_AFTER,
) -> PollOutcome:
    """One poll of `source` unless another process holds it or its budget says wait.

    `unhealthy_after` consecutive passing failures (timeouts, 5xx) mark the source unhealthy
    like a permanent one does; the first successful poll clears it.
    """
    with try_lock(engine, f"poll:{source.name}") as locked:
        if not locked:
            return PollOutcome(source.name, "busy", message="another process is polling it")
        health = Health(now or utcnow(), unhealthy_after)
        return _poll_locked(factory, source, sla or SlaPolicy(), health)


@dataclass(frozen=True)
class Health:
    now: datetime
    unhealthy_after: int


def _poll_locked(
    factory: sessionmaker[Session], source: Source, sla: SlaPolicy, health: Health
) -> PollOutcome:
    with transaction(factory) as session:
        state = _state(session, source)
        if state.next_poll_at is not None and state.next_poll_at > health.now:
            until = state.next_poll_at.isoformat(timespec="seconds")
            why = "rate limit spent" if state.rate_limit_remaining == 0 else "spreading requests"
            return PollOutcome(source.name, "rate_limited", message=f"{why}; next poll {until}")
        cursor = state.cursor
    try:
        result = source.fetch(cursor)
    except SourceError as error:
        _record_failure(factory, source, error, health)
        kind = "rate_limited" if error.retry_at else "error"
        return PollOutcome(source.name, kind, message=str(error))
    return _store(factory, source, result, sla, health)


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
    health: Health,
) -> PollOutcome:
    now = health.now
    with transaction(factory) as session:
        stored = store_posts(session, result.posts, sla)
        for item in result.rejected:
            log.warning("%s: rejected an item: %s", source.name, item.reason)
            session.add(RejectedPayload(source=source.name, reason=item.reason, raw=item.raw))
        state = _state(session, source)
        # The cursor covers exactly what was just stored, even after a failed later page.
        state.cursor = result.cursor
        state.items_last_poll = len(result.posts)
        if result.posts:
            newest = max(post.created_at for post in result.posts)
            state.lag_seconds = max((now - newest).total_seconds(), 0.0)
        _track_backlog(state, result, now)
        state.rate_limit_remaining = result.rate_limit_remaining
        state.rate_limit_limit = result.rate_limit_limit
        state.rate_limit_reset_at = result.rate_limit_reset_at
        state.next_poll_at = next_poll_at(result, now)
        if result.token_expires_at is not None:
            state.token_expires_at = result.token_expires_at
        if result.error is None or not result.error.permanent:
            # The platform answered: an outage is over even if a later page failed.
            state.healthy = True
            state.consecutive_failures = 0
            state.last_success_at = now
        if result.error is not None:
            _mark_error(state, result.error, health, outage=False)
    outcome = PollOutcome(
        source.name,
        "ok" if result.complete else "partial",
        fetched=len(result.posts),
        stored=len(stored.new_post_ids),
        duplicates=stored.duplicates,
        rejected=len(result.rejected),
        message=str(result.error) if result.error else "",
        new_post_ids=stored.new_post_ids,
    )
    if result.catching_up:
        about = f"about {result.backlog}" if result.backlog is not None else "an unknown number of"
        outcome.message = "; ".join(
            filter(None, [outcome.message, f"catching up: {about} posts behind"])
        )
    log.info(outcome.describe())
    return outcome


def _track_backlog(state: SourceState, result: FetchResult, now: datetime) -> None:
    if not result.catching_up:
        state.catching_up_since, state.backlog, state.backlog_growing_polls = None, None, 0
        return
    before, after = state.backlog, result.backlog
    grew = before is not None and after is not None and after > before
    state.backlog_growing_polls = state.backlog_growing_polls + 1 if grew else 0
    state.catching_up_since = state.catching_up_since or now
    state.backlog = result.backlog


def next_poll_at(result: FetchResult, now: datetime) -> datetime | None:
    """When the next poll may run, from the rate-limit budget the platform reported.

    While more than a tenth of the window's budget is left the source polls at its interval.
    Below that, polls are spread so that the rest lasts until the window resets; a budget that
    cannot pay for another poll like this one pauses the source until then.
    """
    remaining, reset_at = result.rate_limit_remaining, result.rate_limit_reset_at
    if remaining is None or reset_at is None or reset_at <= now:
        return None
    cost = max(result.requests, 1)
    if remaining < cost:
        return reset_at
    limit = result.rate_limit_limit
    if limit is not None and remaining > limit * SPREAD_BELOW:
        return None
    return now + (reset_at - now) * cost / remaining


def _record_failure(
    factory: sessionmaker[Session], source: Source, error: SourceError, health: Health
) -> None:
    with transaction(factory) as session:
        _mark_error(_state(session, source), error, health)
    level = logging.ERROR if error.permanent else logging.WARNING
    log.log(level, "%s: %s", source.name, error)


def _mark_error(
    state: SourceState, error: SourceError, health: Health, *, outage: bool = True
) -> None:
    """Record `error`; `outage` False when the platform did answer (a later page failed)."""
    state.last_error = clip(visible(mask(error)), LAST_ERROR_LIMIT)
    state.last_error_at = health.now
    if error.retry_at is not None:  # a rate limit is no outage: wait for the window
        state.next_poll_at = error.retry_at
        state.rate_limit_reset_at = error.retry_at
        state.rate_limit_remaining = 0
        return
    if error.permanent:
        state.healthy = False  # a person must fix credentials; alerts pick this up
        return
    if not outage:
        return
    state.consecutive_failures = (state.consecutive_failures or 0) + 1
    if state.consecutive_failures >= health.unhealthy_after:
        state.healthy = False  # an outage: the platform has not answered for a while
