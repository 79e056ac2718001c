"""Every configured secret is masked by its value, wherever text leaves the process.

Pattern masking (sources/redact.py) catches `Authorization: Bearer ...` and `access_token=`,
but not an upstream gateway that echoes the token in its error body, nor an order-system key
inside a URL. So the values themselves are collected: whatever is read from an environment
variable that the configuration names (`bearer_token_env`, `page_token_env`, `url_env`,
`webhook_url_env`, any `*_env`), each secret piece of URL-valued secrets, and the database
password. They are then replaced by `****` in every log record (a log record factory, so
no handler or logger is missed), in errors stored in the database, in CLI errors and in
everything the dashboard shows.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from pydantic import BaseModel

MASK = "****"
MIN_LENGTH = 6  # shorter values would mask ordinary words; real secrets are far longer


class SecretValues:
    """The process-wide set of values to mask; registering the same value again is harmless."""

    def __init__(self) -> None:
        self._values: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add(self, values: Iterable[str]) -> None:
        fresh = set()
        for value in values:
            value = value.strip()
            if len(value) >= MIN_LENGTH:
                fresh |= {value, quote(value, safe=""), quote_plus(value)}
        with self._lock:
            self._values = self._values | fresh

    def mask(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._values)


SECRETS = SecretValues()


def mask(text: object) -> str:
    """`text` with every registered secret replaced by `****`."""
    return SECRETS.mask("" if text is None else str(text))


def _env_fields(model: Any) -> Iterator[str]:
    """The environment variable names a settings tree refers to (fields named `*_env`)."""
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            value = getattr(model, name)
            if name.endswith("_env") and isinstance(value, str) and value:
                yield value
            else:
                yield from _env_fields(value)
    elif isinstance(model, (list, tuple)):
        for item in model:
            yield from _env_fields(item)
    elif isinstance(model, dict):
        for item in model.values():
            yield from _env_fields(item)


def url_pieces(value: str) -> set[str]:
    """A secret that is a URL: its password, user, and the path segments and query values that
    look like keys (a digit in them, or long), since an error may quote just one of them;
    words such as `refunds` or `hooks` stay readable."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return {value}
    if not parts.scheme:
        return {value}
    pieces = {parts.username or "", *parts.path.split("/")}
    pieces |= {pair.partition("=")[2] for pair in parts.query.split("&")}
    keys = {p for p in pieces if len(p) >= 20 or (len(p) >= 8 and any(c.isdigit() for c in p))}
    return keys | {value, parts.password or ""}


def configured_secrets(settings: BaseModel, env: Mapping[str, str] = os.environ) -> set[str]:
    values: set[str] = set()
    for name in set(_env_fields(settings)):
        value = env.get(name, "")
        values |= url_pieces(value) if "://" in value else {value}
    database = getattr(getattr(settings, "database", None), "url", "") or ""
    password = urlsplit(str(database)).password if "://" in str(database) else None
    if password:
        values.add(password)
    return {v for v in values if len(v.strip()) >= MIN_LENGTH}


_previous_factory = logging.getLogRecordFactory()


def _masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    if SECRETS:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, masked
            message = str(record.msg)
        cleaned = SECRETS.mask(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = SECRETS.mask(logging.Formatter().formatException(record.exc_info))
    return record


def _masking_excepthook(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    """A crash's traceback quotes exception messages, which may quote a secret."""
    sys.stderr.write(SECRETS.mask("".join(traceback.format_exception(kind, error, tb))))


def protect_settings(settings: BaseModel, env: Mapping[str, str] = os.environ) -> None:
    """Register the secrets `settings` names and mask them in every log record and crash
    report from now on."""
    SECRETS.add(configured_secrets(settings, env))
    if logging.getLogRecordFactory() is not _masking_factory:
        logging.setLogRecordFactory(_masking_factory)
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _masking_excepthook
