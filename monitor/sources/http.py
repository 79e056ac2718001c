"""HTTP plumbing shared by the platform sources: base-URL rewriting, timeouts, retries, parsing.

Both SDKs build their URLs from a hard-coded origin (tweepy: `https://api.twitter.com`,
facebook-sdk: the module-level `FACEBOOK_GRAPH_URL`) and neither passes a default timeout
(tweepy never does). Rather than patching library globals, which would leak between sources,
each source mounts a `BaseUrlAdapter` on its own `requests` session: the library keeps
building its usual URLs and the adapter moves them to the configured origin at send time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest

from monitor.sources.base import FetchResult, IncomingPost, RejectedItem, SourceError

T = TypeVar("T")
DEFAULT_TIMEOUT = 15.0  # seconds; a hung connection must not block a poll forever


class BaseUrlAdapter(HTTPAdapter):
    """Sends requests to `base_url` instead of the origin it is mounted for; applies a timeout.

    `base_url` may carry a path prefix (a gateway at `https://gw.example/x`): the original path
    is appended to it. `on_rewrite` runs after a URL changed, for signatures that cover the URL
    (OAuth 1.0a). The last response is kept so callers can read rate-limit headers that the
    SDKs do not surface.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        on_rewrite: Callable[[PreparedRequest], None] | None = None,
    ) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") if base_url else None
        self.default_timeout = timeout
        self.on_rewrite = on_rewrite
        self.last_response: requests.Response | None = None

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        base = self.base_url
        # URLs already under the base (redirects, pagination links) are left alone.
        if base and request.url and not (request.url + "/").startswith(base + "/"):
            rewritten = rewrite_url(request.url, base)
            if rewritten != request.url:
                request.url = rewritten
                if self.on_rewrite is not None:
                    self.on_rewrite(request)
        self.last_response = None
        response = super().send(
            request,
            stream=stream,
            timeout=self.default_timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )
        self.last_response = response
        return response


def rewrite_url(url: str, base_url: str) -> str:
    """`https://api.twitter.com/2/x?a=1` on base `http://127.0.0.1:8000/gw` -> `.../gw/2/x?a=1`."""
    original = urlsplit(url)
    base = urlsplit(base_url.rstrip("/"))
    path = base.path + original.path
    return urlunsplit((base.scheme, base.netloc, path, original.query, original.fragment))


def mount_adapter(
    session: requests.Session,
    origin: str,
    base_url: str | None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_rewrite: Callable[[PreparedRequest], None] | None = None,
) -> BaseUrlAdapter:
    """Mount a `BaseUrlAdapter` for every URL under `origin` (e.g. `https://api.twitter.com/`)."""
    adapter = BaseUrlAdapter(base_url, timeout=timeout, on_rewrite=on_rewrite)
    session.mount(origin, adapter)
    if base_url:
        # Redirects and pagination URLs that already point at the new origin get the timeout too.
        session.mount(base_url.rstrip("/") + "/", adapter)
    return adapter


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and jitter; `sleep` is injectable for tests."""

    tries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int) -> float:
        """Delay after failed attempt `attempt` (0-based): half fixed, half random."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return ceiling / 2 + self.jitter() * ceiling / 2

    def call(self, fn: Callable[[], T], transient: Callable[[BaseException], bool]) -> T:
        """Run `fn`, retrying while it raises a transient error; the last error propagates."""
        attempt = 0
        while True:
            try:
                return fn()
            except Exception as exc:
                attempt += 1
                if attempt >= self.tries or not transient(exc):
                    raise
                self.sleep(self.delay(attempt - 1))


@dataclass(frozen=True, slots=True)
class RateBudget:
    """X's `x-rate-limit-*` headers: requests left in the window, its size and its end."""

    remaining: int
    limit: int | None
    reset_at: datetime | None

    @classmethod
    def from_headers(cls, response: requests.Response | None) -> RateBudget | None:
        headers = response.headers if response is not None else {}
        remaining = as_int(headers.get("x-rate-limit-remaining"))
        if remaining is None:
            return None
        limit = as_int(headers.get("x-rate-limit-limit"))
        return cls(remaining, limit, from_unix(headers.get("x-rate-limit-reset")))


def is_network_error(exc: BaseException) -> bool:
    return isinstance(exc, requests.Timeout | requests.ConnectionError)


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 from X (`...000Z`) or Graph (`...+0000`) -> aware UTC datetime, else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def time_field(item: Any, key: str) -> datetime | None:
    """`parse_time(item[key])`, None when `item` is no JSON object or the value no time."""
    return parse_time(item.get(key)) if isinstance(item, dict) else None


def from_unix(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def as_id(value: Any) -> str | None:
    """Platform ids as strings: 64-bit ints lose digits in floats and spreadsheets."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def is_newer(candidate: str, mark: str) -> bool:
    """Snowflake ids grow with time; compare numerically when both are numbers."""
    if candidate.isdigit() and mark.isdigit():
        return int(candidate) > int(mark)
    return candidate > mark


class Malformed(ValueError):
    """An item the platform sent cannot be turned into a post; the message is the reason."""


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
