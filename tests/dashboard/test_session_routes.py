"""The two cookie routes, driven through ASGI as the server calls them: a one-time handoff
becomes an HttpOnly cookie once, and nothing from another site is accepted."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette

from dashboard.session_routes import HANDOFFS, routes
from monitor.auth import cookies
from monitor.db.types import utcnow

TOKEN = "T" * 43
HOST = "care.example:8501"


def _post(path: str, body: str = "", **headers: str) -> tuple[int, list[str]]:
    """POST through the ASGI app; the status and the Set-Cookie headers of the answer."""
    app = Starlette(routes=routes(""))
    sent: list[dict[str, Any]] = []
    raw = [(b"host", HOST.encode())] + [
        (k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()
    ]
    scope = {
        "type": "http", "http_version": "1.1", "method": "POST", "path": path,
        "raw_path": path.encode(), "query_string": b"", "headers": raw, "scheme": "http",
        "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 5000), "root_path": "",
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body.encode(), "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    set_cookies = [v.decode() for k, v in start["headers"] if k == b"set-cookie"]
    return start["status"], set_cookies


def test_a_handoff_sets_the_http_only_cookie_once() -> None:
    code = HANDOFFS.issue(TOKEN, utcnow() + timedelta(hours=2))

    status, set_cookie = _post("/api/session", code, origin=f"http://{HOST}")

    assert status == 204
    [cookie] = set_cookie
    assert cookie.startswith(f"{cookies.COOKIE_NAME}={cookies.sign(TOKEN)};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age=7" in cookie  # about two hours, in seconds
    assert "Secure" not in cookie  # plain HTTP here; behind HTTPS the cookie is Secure
    again, none = _post("/api/session", code, origin=f"http://{HOST}")
    assert (again, none) == (403, [])


def test_other_sites_and_made_up_codes_get_nothing() -> None:
    code = HANDOFFS.issue(TOKEN, utcnow() + timedelta(hours=2))
    assert _post("/api/session", code, origin="https://evil.example") == (403, [])
    assert _post("/api/session", code) == (403, [])  # neither Origin nor Sec-Fetch-Site
    assert _post("/api/session", "made-up", origin=f"http://{HOST}") == (403, [])
    status, cookie = _post("/api/session", code, sec_fetch_site="same-origin")
    assert status == 204 and cookie  # the refused tries did not use the code up
    assert _post("/api/session/end", origin="https://evil.example") == (403, [])


def test_an_expired_session_gets_no_cookie() -> None:
    code = HANDOFFS.issue(TOKEN, utcnow() - timedelta(seconds=1))
    assert _post("/api/session", code, origin=f"http://{HOST}") == (403, [])


def test_sign_out_removes_the_cookie() -> None:
    status, [cookie] = _post("/api/session/end", origin=f"http://{HOST}")
    assert status == 204
    assert cookie.startswith(f'{cookies.COOKIE_NAME}="";') and "Max-Age=0" in cookie
    assert "HttpOnly" in cookie
