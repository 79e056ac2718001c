"""One poll step against real sources and a real database (X over HTTP faked by `responses`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker
from x_api import page, tweet, user

from monitor.db.models import Post, RejectedPayload, SourceState
from monitor.locks import try_lock
from monitor.polling import poll_source
from monitor.sources.base import FetchResult, RejectedItem
from monitor.sources.http import RetryPolicy
from monitor.sources.stream import DemoStreamSource
from monitor.sources.x import XSource

BRAND = "1000"
MENTIONS = f"https://api.twitter.com/2/users/{BRAND}/mentions"
NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
RESET = int(datetime(2026, 1, 2, 12, 15, tzinfo=UTC).timestamp())


def x_source() -> XSource:
    return XSource("x-main", BRAND, bearer_token="secret", retry=RetryPolicy(sleep=lambda _: None))


def _state(sessions: sessionmaker[Session], name: str) -> SourceState:
    with sessions() as session:
        return session.get_one(SourceState, name)


def _count(sessions: sessionmaker[Session], model: Any) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_posts_and_cursor_are_stored_together_and_next_poll_uses_since_id(
    engine: Engine, sessions: sessionmaker[Session], http: responses.RequestsMock
) -> None:
    users = [user("5", "ann", 60_000, True)]
    http.get(MENTIONS, json=page([tweet("1905", "5"), tweet("1901", "5")], users))
    first = poll_source(engine, sessions, x_source(), now=NOW)
    assert (first.status, first.stored) == ("ok", 2)
    state = _state(sessions, "x-main")
    assert state.cursor == {"since_id": "1905"} and state.healthy
    assert state.last_success_at == NOW and state.items_last_poll == 2

    http.get(MENTIONS, json=page([tweet("1906", "5"), tweet("1905", "5")], users))
    second = poll_source(engine, sessions, x_source(), now=NOW)
    assert "since_id=1905" in str(http.calls[-1].request.url)
    assert (second.stored, second.duplicates) == (1, 1)  # the repeated post is not doubled
    assert _count(sessions, Post) == 3


def test_rate_limit_is_recorded_and_the_source_skipped_until_reset(
    engine: Engine, sessions: sessionmaker[Session], http: responses.RequestsMock
) -> None:
    http.get(
        MENTIONS,
        status=429,
        json={"title": "Too Many Requests"},
        headers={"x-rate-limit-reset": str(RESET), "x-rate-limit-remaining": "0"},
    )
    outcome = poll_source(engine, sessions, x_source(), now=NOW)
    assert outcome.status == "rate_limited"
    state = _state(sessions, "x-main")
    assert state.rate_limit_reset_at == datetime.fromtimestamp(RESET, UTC)
    assert state.healthy  # a rate limit is not a broken source

    skipped = poll_source(engine, sessions, x_source(), now=NOW + timedelta(minutes=5))
    assert skipped.status == "rate_limited" and len(http.calls) == 1  # no request was made


def test_revoked_token_marks_only_that_source_unhealthy(
    engine: Engine, sessions: sessionmaker[Session], http: responses.RequestsMock
) -> None:
    http.get(MENTIONS, status=401, json={"title": "Unauthorized", "detail": "Unauthorized"})
    outcome = poll_source(engine, sessions, x_source(), now=NOW)
    demo = poll_source(engine, sessions, DemoStreamSource("demo", posts_per_poll=3), now=NOW)
    assert outcome.status == "error"
    state = _state(sessions, "x-main")
    assert not state.healthy and state.last_error and "secret" not in state.last_error
    assert demo.status == "ok" and _state(sessions, "demo").healthy


def test_malformed_item_is_kept_raw_and_skipped(
    engine: Engine, sessions: sessionmaker[Session], http: responses.RequestsMock
) -> None:
    broken = {"id": "1904", "author_id": "5"}  # no text, no created_at
    http.get(MENTIONS, json=page([tweet("1905", "5"), broken], [user("5", "ann", 3)]))
    outcome = poll_source(engine, sessions, x_source(), now=NOW)
    assert (outcome.stored, outcome.rejected) == (1, 1)
    with sessions() as session:
        rejected = session.scalars(select(RejectedPayload)).one()
    assert rejected.raw["id"] == "1904" and rejected.source == "x-main"
    assert _state(sessions, "x-main").cursor == {"since_id": "1905"}


class _BrokenStore:
    """A source whose result cannot be committed (a raw payload that is not JSON)."""

    name = "broken"
    platform = "demo"

    def __init__(self) -> None:
        self.inner = DemoStreamSource("broken", posts_per_poll=3)

    def fetch(self, cursor: dict[str, Any] | None) -> FetchResult:
        result = self.inner.fetch(cursor)
        result.rejected.append(RejectedItem("odd", {"when": object()}))
        return result

    def send_reply(self, target: Any, text: str) -> str:
        raise NotImplementedError


def test_a_failed_commit_stores_no_posts_and_keeps_the_cursor(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with pytest.raises((TypeError, StatementError), match="not JSON serializable"):
        poll_source(engine, sessions, _BrokenStore(), now=NOW)
    assert _count(sessions, Post) == 0
    with sessions() as session:
        state = session.get(SourceState, "broken")
    assert state is None or state.cursor is None


def test_a_source_held_by_another_process_is_not_polled_twice(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    source = DemoStreamSource("demo", posts_per_poll=2)
    with try_lock(engine, "poll:demo") as held:
        assert held
        assert poll_source(engine, sessions, source, now=NOW).status == "busy"
    assert poll_source(engine, sessions, source, now=NOW).status == "ok"
    assert _state(sessions, "demo").cursor == {"batch": 1}
