"""Sources that need no credentials: a live stream of demo posts, and a recorded TWCS file
replayed a batch per poll. They let `make demo` and load tests run the real polling path."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.sources.base import FetchResult, IncomingPost, RejectedItem, ReplyTarget
from monitor.sources.demo import generate_demo
from monitor.sources.replay import ReplayStats, read_twcs


class DemoStreamSource:
    """Each poll brings a few new demo conversations that happened in the last minutes."""

    platform = "demo"  # the connector; its posts are on x, facebook and instagram

    def __init__(self, name: str, *, seed: int = 7, posts_per_poll: int = 5) -> None:
        self.name = name
        self.seed = seed
        self.posts_per_poll = posts_per_poll

    def fetch(self, cursor: dict[str, Any] | None) -> FetchResult:
        batch = int((cursor or {}).get("batch", 0)) + 1
        now = datetime.now(UTC).replace(microsecond=0)
        # A distinct world per batch: new posts and ids, deterministic for a seed.
        world = generate_demo(
            seed=self.seed * 100_003 + batch,
            customers=10,
            posts=self.posts_per_poll,
            days=1,
            now=now,
        )
        # Squeeze the generated day into the last ten minutes, keeping the order of replies.
        window = timedelta(minutes=10) / timedelta(days=1)
        posts = [
            replace(post, created_at=now - (now - post.created_at) * window, source=self.name)
            for post in world.posts
        ]
        return FetchResult(posts=posts, cursor={"batch": batch})

    def send_reply(self, target: ReplyTarget, text: str) -> str:
        return f"demo-reply-{target.external_id}"


class ReplaySource:
    """Replays a TWCS-format CSV, `posts_per_poll` rows at a time; the cursor is the row offset.

    The open reader is kept between polls, so each poll costs only its own rows. It is
    reopened (and skipped to the offset) only when the stored cursor is not where the reader
    stopped (the first poll of a process, or a poll whose batch was never committed), and
    after reaching the end of the file, so that rows appended later are picked up.
    """

    platform = "replay"  # the connector; its posts say x unless the file's platform column differs

    def __init__(self, name: str, path: Path, *, posts_per_poll: int = 100) -> None:
        self.name = name
        self.path = path
        self.posts_per_poll = posts_per_poll
        self._rows: Iterator[IncomingPost] | None = None
        self._position = 0
        self._stats = ReplayStats()

    def fetch(self, cursor: dict[str, Any] | None) -> FetchResult:
        offset = int((cursor or {}).get("offset", 0))
        if self._rows is None or offset != self._position:
            self._rows = read_twcs(self.path, source=self.name, stats=self._stats)
            self._position = sum(1 for _ in itertools.islice(self._rows, offset))
            self._stats.drain()  # rows before the cursor were reported when first passed
        posts = list(itertools.islice(self._rows, self.posts_per_poll))
        self._position += len(posts)
        if len(posts) < self.posts_per_poll:
            # At the end of the file: reopen next time, so rows appended later are seen.
            self._rows = None
        # Broken rows (an impossible date, a bad id) are skipped, so the cursor moves past
        # them, and reported: the poller keeps each one in rejected_payloads.
        rejected = [
            RejectedItem(
                f"line {row.line}: {row.reason}", {"path": str(self.path), "line": row.line}
            )
            for row in self._stats.drain()
        ]
        return FetchResult(posts=posts, cursor={"offset": offset + len(posts)}, rejected=rejected)

    def send_reply(self, target: ReplyTarget, text: str) -> str:
        return f"replay-reply-{target.external_id}"
