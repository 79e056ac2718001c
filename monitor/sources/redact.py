"""Keep tokens out of logs.

tweepy logs every request's headers at DEBUG (the `Authorization: Bearer ...` header included),
urllib3 logs request URLs (Graph API URLs carry `access_token=`), and requests-oauthlib and
oauthlib log OAuth 1.0a parameters while signing. A filter on those loggers rewrites each record
before any handler sees it, whatever level or handler the operator configures.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
LOGGER_NAMES = (
    "tweepy",
    "tweepy.client",
    "urllib3",
    "urllib3.connectionpool",
    "facebook",
    "requests_oauthlib",
    "requests_oauthlib.oauth1_auth",
    "oauthlib",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
)
_SENSITIVE_NAMES = (
    r"oauth_[a-z_]+|access_token(?:_secret)?|bearer_token|input_token|fb_exchange_token"
    r"|appsecret_proof|client_(?:key|secret)|consumer_(?:key|secret)|resource_owner_(?:key|secret)"
    r"|page_token"
)
# key, then `=`, `: `, `', '` (tuples), or `%3D` (signature base strings), then the value up to
# a delimiter; `%26` ends a value inside a percent-encoded base string.
_SEPARATOR = r"""(["']?\s*(?:=|:|,|%3D)\s*b?["']?)"""
_VALUE = r"""((?:(?!%26)[^\s"'&,;<>)\]}])+)"""
_KEY_VALUE = re.compile(rf"(?i)(?<![a-z])({_SENSITIVE_NAMES}){_SEPARATOR}{_VALUE}")
_AUTH_HEADER = re.compile(r"""(?i)(authorization["']?\s*[:=]\s*b?["']?)([^"'\n]+)""")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9%._~+/=-]+")


def redact(text: str) -> str:
    """Mask bearer tokens, Authorization headers and token-like parameters in `text`."""
    text = _AUTH_HEADER.sub(rf"\g<1>{MASK}", text)
    text = _BEARER.sub(rf"\g<1> {MASK}", text)
    return _KEY_VALUE.sub(rf"\g<1>\g<2>{MASK}", text)


class RedactingFilter(logging.Filter):
    """Rewrites the record's message (and traceback text) with secrets masked; never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, masked
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


_FILTER = RedactingFilter()


def install_redaction(names: tuple[str, ...] = LOGGER_NAMES) -> None:
    """Attach the filter to the SDK loggers and their existing children; safe to call again.

    A logger's filters only see records created on that very logger, not on its children, so
    child loggers are listed too and any already created under those names are included.
    """
    prefixes = tuple(f"{name}." for name in names)
    existing = [
        name
        for name in list(logging.root.manager.loggerDict)
        if isinstance(name, str) and name.startswith(prefixes)
    ]
    for name in (*names, *existing):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
