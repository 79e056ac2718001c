"""Two small HTTP routes that put the sign-in into an HttpOnly cookie and take it out again.

A Streamlit script talks to the browser over a WebSocket and cannot set an HTTP header, and
a cookie written by JavaScript could be read by any script on the page. So after a sign-in
the script keeps the session token here under a one-time handoff code that expires in a
minute, and has the page POST that code (never the token) to `/api/session`; the answer
sets the signed token as an HttpOnly, SameSite=Lax cookie. `/api/session/end` removes it.
Both refuse requests from other sites. The routes run in the dashboard's own process
(`dashboard/server.py`), so the handoff table is shared with the script that filled it.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.auth import cookies
from monitor.db.types import utcnow

START_PATH = "api/session"
END_PATH = "api/session/end"
HANDOFF_SECONDS = 60.0


class Handoffs:
    """One-time codes, each standing for a session token for a minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[str, datetime, float]] = {}

    def issue(self, token: str, expires_at: datetime) -> str:
        code = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if v[2] > now}
            self._items[code] = (token, expires_at, now + HANDOFF_SECONDS)
        return code

    def redeem(self, code: str) -> tuple[str, datetime] | None:
        with self._lock:
            item = self._items.pop(code, None)
        if item is None or item[2] <= time.monotonic():
            return None
        return item[0], item[1]


HANDOFFS = Handoffs()


def url_path(base: str, path: str) -> str:
    """`path` under Streamlit's `server.baseUrlPath`."""
    base = base.strip("/")
    return f"/{base}/{path}" if base else f"/{path}"


def _same_site(request: Request) -> bool:
    """Only the dashboard's own pages may call these routes (no cross-site sign-in or out)."""
    origin = request.headers.get("origin")
    if origin:
        return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()
    return request.headers.get("sec-fetch-site") == "same-origin"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def _refused(request: Request) -> Response | None:
    if not _same_site(request):
        return Response("cross-site request refused", status_code=403)
    return None


def routes(base: str) -> list[Route]:
    """The two routes under `base` (Streamlit's `server.baseUrlPath`)."""
    cookie_path = url_path(base, "").rstrip("/") or "/"

    async def start(request: Request) -> Response:
        if (refused := _refused(request)) is not None:
            return refused
        code = (await request.body())[:200].decode("ascii", errors="replace").strip()
        handed = HANDOFFS.redeem(code)
        if handed is None:
            return Response("unknown or expired sign-in handoff", status_code=403)
        token, expires_at = handed
        seconds = int((expires_at - utcnow()).total_seconds())
        if seconds <= 0:
            return Response("the session has expired", status_code=403)
        response = Response(status_code=204)
        response.set_cookie(
            cookies.COOKIE_NAME, cookies.sign(token), max_age=seconds, path=cookie_path,
            httponly=True, samesite="lax", secure=_secure(request),
        )  # fmt: skip
        return response

    async def end(request: Request) -> Response:
        if (refused := _refused(request)) is not None:
            return refused
        response = Response(status_code=204)
        response.delete_cookie(
            cookies.COOKIE_NAME, path=cookie_path, httponly=True, samesite="lax",
            secure=_secure(request),
        )  # fmt: skip
        return response

    return [
        Route(url_path(base, END_PATH), end, methods=["POST"]),
        Route(url_path(base, START_PATH), start, methods=["POST"]),
    ]
