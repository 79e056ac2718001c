"""Secrets are masked by value: a gateway that echoes the bearer token in its error body
never gets the token into CLI output, logs, the database or the Connectors page."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import responses
import streamlit as st
from casework import sign_in
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from monitor.cases.order_system import OrderSystemError, ResolutionOrder, WebhookOrderSystem
from monitor.db.models import SourceState
from monitor.secrets import MASK, SECRETS, configured_secrets, mask, protect_settings
from monitor.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
TOKEN = "AAAAgatewayBearer0123456789xyz"
HOOK_KEY = "hookkey0987654321"
ORDER_KEY = "orderKey-5566778899"


class EchoGateway(BaseHTTPRequestHandler):
    """Answers every request 401 and, like some API gateways, quotes the token it got."""

    def do_GET(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.dumps(
            {
                "title": "Unauthorized",
                "detail": f"token {token} is not valid here [Fix it](https://evil.example/x)",
                "type": "about:blank",
                "status": 401,
            }
        ).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoGateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def write_config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f"""
[[sources]]
name = "x-gateway"
platform = "x"
user_id = "1000"
base_url = "http://127.0.0.1:{port}"
bearer_token_env = "X_GATEWAY_BEARER"

[alerts]
enabled = true

[[alerts.routes]]
name = "hook"
url_env = "ALERT_HOOK_URL"

[clearance.order_system]
kind = "webhook"
webhook_url_env = "ORDER_HOOK_URL"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "X_GATEWAY_BEARER": TOKEN,
        "ALERT_HOOK_URL": f"json://127.0.0.1:9/hook?key={HOOK_KEY}",
        "ORDER_HOOK_URL": f"https://orders.example/api/{ORDER_KEY}/refunds",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_every_configured_secret_is_collected(tmp_path: Path, secret_env: dict[str, str]) -> None:
    settings = load_settings(write_config(tmp_path, 9))
    found = configured_secrets(settings)
    assert {TOKEN, HOOK_KEY, ORDER_KEY} <= found
    assert "hook" not in found and "refunds" not in found  # ordinary words stay readable


def test_log_records_are_masked_whatever_the_logger(
    tmp_path: Path, secret_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    protect_settings(load_settings(write_config(tmp_path, 9)))
    with caplog.at_level(logging.INFO):
        logging.getLogger("any.library").warning("upstream said %s", f"bad token {TOKEN}")
        try:
            raise ValueError(f"key {ORDER_KEY} refused")
        except ValueError:
            logging.getLogger("monitor.x").exception("order system failed")
    assert TOKEN not in caplog.text and ORDER_KEY not in caplog.text
    assert f"bad token {MASK}" in caplog.text and f"key {MASK} refused" in caplog.text
    assert mask(f"x{TOKEN}y") == f"x{MASK}y" and SECRETS


def test_echoed_token_appears_nowhere(
    tmp_path: Path,
    gateway: int,
    secret_env: dict[str, str],
    db_url: str,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = write_config(tmp_path, gateway)
    env = {**os.environ, "MONITOR_DATABASE_URL": db_url, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "monitor.cli", "--config", str(config)]
    done = subprocess.run(
        [*command, "poll", "x-gateway", "--once", "--no-score"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = done.stdout + done.stderr  # the CLI's own lines and its log records
    assert done.returncode == 1, output
    assert "refused the credentials" in output and MASK in output
    assert TOKEN not in output

    session.expire_all()
    stored = session.scalars(select(SourceState.last_error)).one()
    assert stored is not None and MASK in stored and TOKEN not in stored
    assert len(stored) <= 2000

    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    st.cache_resource.clear()
    # A row written before masking existed still shows masked: the page masks by value too.
    state = session.scalars(select(SourceState)).one()
    state.last_error = f"legacy error with {TOKEN} in it"
    session.commit()
    app = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=30)
    sign_in(app, session, "al", "analyst")
    app.run()
    app.switch_page("views/connectors.py").run()
    assert not app.exception, app.exception
    shown = "\n".join(code.value for code in app.code)
    assert "legacy error with ****" in shown and TOKEN not in shown
    frame = app.dataframe[0].value
    assert TOKEN not in frame.to_csv()


def test_order_system_echoing_its_key_is_masked(
    tmp_path: Path, secret_env: dict[str, str], http: responses.RequestsMock
) -> None:
    protect_settings(load_settings(write_config(tmp_path, 9)))
    url = secret_env["ORDER_HOOK_URL"]
    http.add(responses.POST, url, status=403, body=f"key {ORDER_KEY} may not refund")
    order = ResolutionOrder("idem-1", 7, "refund", "111-1", Decimal("5.00"), "USD", {})
    with pytest.raises(OrderSystemError) as refused:
        WebhookOrderSystem(url, retries=0).execute(order)
    assert ORDER_KEY not in str(refused.value) and f"key {MASK} may not" in str(refused.value)
