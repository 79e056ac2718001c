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


def test_a_connectors_platform_is_its_kind_while_each_post_keeps_its_network(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """The demo stream is one connector whose posts are on several networks: its state says
    "demo" (what the config named), each stored post says where it was written."""
    outcome = poll_source(engine, sessions, DemoStreamSource("demo", posts_per_poll=12), now=NOW)
    assert outcome.status == "ok" and outcome.stored >= 12
    assert _state(sessions, "demo").platform == "demo"
    with sessions() as session:
        networks = set(session.scalars(select(Post.platform).where(Post.source == "demo")))
    assert networks and networks <= {"x", "facebook", "instagram"}
    assert len(networks) > 1


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


def _budget(remaining: int, reset: int = RESET) -> dict[str, str]:
    """X's rate-limit headers: a 450-request window ending at `reset`."""
    return {
        "x-rate-limit-limit": "450",
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset),
    }


def test_a_poll_stopped_by_its_page_budget_continues_the_backlog_next_time(
    engine: Engine, sessions: sessionmaker[Session], http: responses.RequestsMock
) -> None:
    users = [user("5", "ann", 10)]
    source = XSource(
        "x-main", BRAND, bearer_token="secret", max_pages=1, retry=RetryPolicy(sleep=lambda _: None)
    )
    http.get(MENTIONS, json=page([tweet("1910", "5"), tweet("1909", "5")], users, "t2"))
    first = poll_source(engine, sessions, source, now=NOW)
    state = _state(sessions, "x-main")
    # Stored 1910 and 1909; older ones wait: the since_id is not moved past them.
    assert state.cursor == {"mentions_until_id": "1909", "mentions_newest_id": "1910"}
    assert state.catching_up_since == NOW and "catching up" in first.message

    http.get(MENTIONS, json=page([tweet("1908", "5"), tweet("1907", "5")], users, "t3"))
    poll_source(engine, sessions, source, now=NOW)
    assert "until_id=1909" in str(http.calls[-1].request.url)
    http.get(MENTIONS, json=page([tweet("1906", "5")], users))  # the last page: drained
    poll_source(engine, sessions, source, now=NOW)
    assert "until_id=1907" in str(http.calls[-1].request.url)
    state = _state(sessions, "x-main")
    assert state.cursor == {"since_id": "1910"} and state.catching_up_since is None
    assert _count(sessions, Post) == 5

    http.get(MENTIONS, json=page([tweet("1911", "5")], users))
    poll_source(engine, sessions, source, now=NOW)
    assert "since_id=1910" in str(http.calls[-1].request.url)
    assert "until_id" not in str(http.calls[-1].request.url)


def test_consecutive_outage_polls_make_a_source_unhealthy_until_one_succeeds(
    engine: Engine, sessions: sessionmaker[Session], http: responses.RequestsMock
) -> None:
    for _ in range(3 * 3):  # three polls, each with three tries
        http.get(MENTIONS, status=503, json={"title": "Service Unavailable"})
    for poll in range(3):
        outcome = poll_source(engine, sessions, x_source(), now=NOW, unhealthy_after=3)
        state = _state(sessions, "x-main")
        assert outcome.status == "error" and state.consecutive_failures == poll + 1
        assert state.healthy is (poll < 2)  # the third failure in a row is an outage
    http.get(MENTIONS, json=page([tweet("1905", "5")], [user("5", "ann", 1)]))
    poll_source(engine, sessions, x_source(), now=NOW + timedelta(minutes=3))
    state = _state(sessions, "x-main")
    assert state.healthy and state.consecutive_failures == 0
    assert state.last_success_at == NOW + timedelta(minutes=3)


def test_polling_continues_while_budget_remains_and_pauses_when_it_is_spent(
    engine: Engine, sessions: sessionmaker[Session], http: responses.RequestsMock
) -> None:
    users = [user("5", "ann", 1)]
    http.get(MENTIONS, json=page([tweet("1905", "5")], users), headers=_budget(449))
    poll_source(engine, sessions, x_source(), now=NOW)
    state = _state(sessions, "x-main")
    assert (state.rate_limit_remaining, state.rate_limit_limit) == (449, 450)
    # 449 requests for 15 minutes: a poll a minute later is well within the budget.
    http.get(MENTIONS, json=page([], users), headers=_budget(0))
    assert poll_source(engine, sessions, x_source(), now=NOW + timedelta(minutes=1)).status == "ok"
    paused = poll_source(engine, sessions, x_source(), now=NOW + timedelta(minutes=2))
    assert paused.status == "rate_limited" and "spent" in paused.message
    assert len(http.calls) == 2  # the spent budget made no request
    http.get(MENTIONS, json=page([], users), headers=_budget(449, RESET + 900))
    after = poll_source(engine, sessions, x_source(), now=NOW + timedelta(minutes=15, seconds=1))
    assert after.status == "ok" and len(http.calls) == 3


def test_a_small_budget_spreads_polls_over_the_window(
    engine: Engine, sessions: sessionmaker[Session], http: responses.RequestsMock
) -> None:
    http.get(MENTIONS, json=page([], []), headers=_budget(3))
    poll_source(engine, sessions, x_source(), now=NOW)
    # Three requests left for 15 minutes: one poll per 5 minutes makes them last.
    assert _state(sessions, "x-main").next_poll_at == NOW + timedelta(minutes=5)
    early = poll_source(engine, sessions, x_source(), now=NOW + timedelta(minutes=4))
    assert early.status == "rate_limited" and "spreading" in early.message
    http.get(MENTIONS, json=page([], []), headers=_budget(2))
    assert poll_source(engine, sessions, x_source(), now=NOW + timedelta(minutes=5)).status == "ok"
