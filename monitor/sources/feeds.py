"""Merging the feeds of one poll (mentions, DMs, comments...) into one `FetchResult`.

Each feed reports what it fetched in a `Part`; `combine` joins them, moves each feed's cursor
keys on its own, and picks the error a human should see first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor.sources.base import FetchResult, IncomingPost, RejectedItem, SourceError
from monitor.sources.values import Malformed


@dataclass(slots=True)
class Part:
    """What one feed (mentions, DMs, comments...) of a poll produced.

    `update` holds the feed's cursor keys to set (a None value removes the key); it always
    describes only what this poll fetched, so it is safe to store even when a later page
    failed. `pages` counts the pages that arrived, so a failure on page one (nothing fetched)
    can be told apart. `following` is where the next unfetched page starts (a token or query
    arguments) and `drained` is True when the feed had no further page.
    `behind` is True while a backlog is left for the next poll, `backlog` its estimated size.
    """

    posts: list[IncomingPost] = field(default_factory=list)
    rejected: list[RejectedItem] = field(default_factory=list)
    update: dict[str, Any] | None = None
    error: SourceError | None = None
    pages: int = 0
    following: Any = None
    current: Any = None  # the arguments of the page being read, to read it again
    drained: bool = False
    behind: bool = False
    backlog: int | None = None
    seen: set[str] = field(default_factory=set)

    def add(self, raw: Any, parse: Callable[..., IncomingPost], *args: Any) -> None:
        """`parse(raw, *args)`; a malformed item is kept raw in `rejected`, a repeat dropped."""
        try:
            post = parse(raw, *args)
        except Malformed as exc:
            kept = raw if isinstance(raw, dict) else {"value": raw}
            self.rejected.append(RejectedItem(reason=str(exc), raw=kept))
            return
        if post.external_id not in self.seen:
            self.seen.add(post.external_id)
            self.posts.append(post)

    def absorb(self, other: Part) -> None:
        """Take over the items, pages and error of a sub-feed (one post's comments)."""
        for post in other.posts:
            if post.external_id not in self.seen:
                self.seen.add(post.external_id)
                self.posts.append(post)
        self.rejected.extend(other.rejected)
        self.pages += other.pages
        self.error = self.error or other.error

    def caught_up(self, update: dict[str, Any]) -> None:
        """Everything up to the newest item is fetched: the backlog keys go."""
        self.update, self.behind, self.backlog = update, False, 0

    def stopped(self, update: dict[str, Any], backlog: int | None) -> None:
        """The page budget (or a failed page) ended this poll with older items left."""
        self.update, self.behind, self.backlog = update, True, backlog


def estimate_backlog(fetched: int, newest: float, oldest: float, floor: float | None) -> int | None:
    """Items left between `floor` and `oldest`, assuming the density of this poll's items.

    Positions are anything that grows with time: snowflake ids or timestamps. None when the
    floor is unknown (a first poll) or this poll's items give no density.
    """
    if floor is None or fetched <= 0 or newest <= oldest:
        return None
    return max(round(fetched * (oldest - floor) / (newest - oldest)), 0)


def combine(parts: Mapping[str, Part], old_cursor: Mapping[str, Any]) -> FetchResult:
    """Join the feeds of one poll; each feed's cursor keys change as its `update` says.

    Raises when every feed failed and nothing was fetched, as the `Source` contract requires.
    """
    cursor = dict(old_cursor)
    posts: list[IncomingPost] = []
    rejected: list[RejectedItem] = []
    errors: list[SourceError] = []
    seen: set[str] = set()
    backlogs: list[int | None] = []
    for part in parts.values():
        rejected.extend(part.rejected)
        for post in part.posts:
            if post.external_id not in seen:
                seen.add(post.external_id)
                posts.append(post)
        if part.error is not None:
            errors.append(part.error)
        for key, value in (part.update or {}).items():
            if value is None:
                cursor.pop(key, None)
            else:
                cursor[key] = value
        if part.behind:
            backlogs.append(part.backlog)
    error = worst(errors)
    if error is not None and all(part.error and not part.pages for part in parts.values()):
        raise error
    known = [count for count in backlogs if count is not None]
    return FetchResult(
        posts=posts,
        cursor=cursor,
        complete=error is None,
        error=error,
        rejected=rejected,
        catching_up=bool(backlogs),
        backlog=sum(known) if known and len(known) == len(backlogs) else None,
    )


def worst(errors: list[SourceError]) -> SourceError | None:
    """A permanent error needs a human, so it wins; then a rate limit, which says when."""
    for test in (lambda e: e.permanent, lambda e: e.retry_at is not None, lambda e: True):
        for error in errors:
            if test(error):
                return error
    return None
