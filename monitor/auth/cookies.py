"""The browser's copy of a sign-in: the session's random token, signed, in an HttpOnly cookie.

The token alone decides who is signed in (its hash is in `login_sessions`, so signing out or
deactivating a user ends it everywhere). The signature only lets the dashboard turn away an
edited or made-up cookie before looking anything up. The key comes from the environment
(`MONITOR_SESSION_SECRET`); without one, each dashboard process makes its own, so a restart
asks everyone to sign in again.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import cache

from monitor.errors import UserFacingError

COOKIE_NAME = "monitor_session"
SECRET_ENV = "MONITOR_SESSION_SECRET"  # noqa: S105 - the variable's name, not a secret
MIN_SECRET_LENGTH = 32
_PURPOSE = b"monitor-session-cookie:"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")  # secrets.token_urlsafe output
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")


class CookieSecretError(UserFacingError):
    """The configured signing key is unusable; the message names the variable."""


@cache
def secret() -> bytes:
    """The signing key: from the environment, or a random one for this process."""
    value = os.environ.get(SECRET_ENV, "")
    if not value:
        return secrets.token_bytes(32)
    if len(value) < MIN_SECRET_LENGTH:
        raise CookieSecretError(
            f"{SECRET_ENV} must have at least {MIN_SECRET_LENGTH} characters: generate one "
            'with `python -c "import secrets; print(secrets.token_urlsafe(32))"`'
        )
    return value.encode("utf-8")


def _signature(token: str, key: bytes) -> str:
    return hmac.new(key, _PURPOSE + token.encode("ascii"), hashlib.sha256).hexdigest()


def sign(token: str, key: bytes | None = None) -> str:
    """The cookie value for `token`: `<token>.<HMAC-SHA256>`."""
    if not _TOKEN.match(token):
        raise ValueError("not a session token")
    return f"{token}.{_signature(token, key or secret())}"


def unsign(value: object, key: bytes | None = None) -> str | None:
    """The token in a cookie value, or None when it is missing, malformed or not ours."""
    if not isinstance(value, str) or not value or len(value) > 200:
        return None
    token, _, signature = value.rpartition(".")
    if not _TOKEN.match(token) or not _SIGNATURE.match(signature):
        return None
    expected = _signature(token, key or secret())
    return token if hmac.compare_digest(expected, signature) else None
