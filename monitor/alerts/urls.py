"""Route URLs: read them from the environment, and never let one reach a log or an error.

apprise URLs put secrets anywhere: user:password@, path segments (Slack and Teams tokens) and
query values (PagerDuty keys). Masking keeps only the scheme and host; the redacting filter
scrubs every secret piece of every configured URL from apprise's own log records too.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from monitor.config import RouteSettings
from monitor.errors import UserFacingError


class RouteConfigError(UserFacingError):
    """A route cannot be used as configured; the message says which variable to set."""


def route_url(route: RouteSettings) -> str:
    if route.url:
        return route.url
    assert route.url_env is not None  # the settings model guarantees one of the two
    value = os.environ.get(route.url_env, "").strip()
    if not value:
        raise RouteConfigError(
            f"alert route {route.name!r}: environment variable {route.url_env} is not set; "
            f"export {route.url_env}=<apprise URL, e.g. slack://...> before starting"
        )
    return value


def mask_url(url: str) -> str:
    """`slack://T1/B2/secret` -> `slack://T1/****`: the scheme and host, nothing secret."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "****"
    if not parts.scheme:
        return "****"
    user = "****@" if parts.username or parts.password else ""
    rest = "/****" if (parts.path.strip("/") or parts.query or parts.fragment) else ""
    return f"{parts.scheme}://{user}{host}{port}{rest}"


def secret_pieces(url: str) -> set[str]:
    """Every part of a URL that may be a secret (long enough not to be a common word)."""
    pieces = {url}
    try:
        parts = urlsplit(url)
    except ValueError:
        return pieces
    for value in (parts.username, parts.password, parts.path, parts.query):
        if value:
            pieces.add(value)
    pieces.update(re.split(r"[/?&=:@,]+", f"{parts.path}?{parts.query}"))
    if parts.password is None and parts.username:
        pieces.add(parts.username)  # token-only URLs such as pover://token@user
    return {piece for piece in pieces if len(piece) >= 6}


class RedactSecrets(logging.Filter):
    """Replaces known secrets in a log record's message before any handler sees it."""

    def __init__(self) -> None:
        super().__init__("monitor-redact")
        self.secrets: set[str] = set()

    def add(self, urls: Iterable[str]) -> None:
        for url in urls:
            self.secrets |= secret_pieces(url)

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "****")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = self.redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


_FILTER = RedactSecrets()


def protect(urls: Iterable[str]) -> RedactSecrets:
    """Register URLs whose secrets must never appear in apprise's or our log records."""
    _FILTER.add(urls)
    for name in ("apprise", "urllib3.connectionpool"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    return _FILTER
