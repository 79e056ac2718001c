"""HTTP transport shared by the platform sources: base-URL rewriting, timeouts, retries.

Both SDKs build their URLs from a hard-coded origin (tweepy: `https://api.twitter.com`,
facebook-sdk: the module-level `FACEBOOK_GRAPH_URL`) and neither passes a default timeout
(tweepy never does). Rather than patching library globals, which would leak between sources,
each source mounts a `BaseUrlAdapter` on its own `requests` session: the library keeps
building its usual URLs and the adapter moves them to the configured origin at send time.

Reading values out of responses is in `values`, merging a poll's feeds in `feeds`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest

from monitor.sources.values import as_int, from_unix

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
