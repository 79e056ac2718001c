"""The sign-in gate in a real browser, against `monitor dashboard` as shipped.

A fresh server (nobody has signed in yet) must show only the sign-in form at every page URL,
and an open Queue page must stop refreshing, and its Claim button must stop working, as soon
as the user is deactivated. Production defaults (localhost, no developer menu) are checked on
the same server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import ARGS, CHROMIUM, free_port, sign_in, wait_until_healthy
from casework import make_case, make_user
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select

from monitor.auth import accounts
from monitor.auth.permissions import SYSTEM
from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import AuditEntry, Case

REPO = Path(__file__).resolve().parents[2]
PAGES = ["queue", "case", "approvals", "connectors", "alerts", "reports", "users"]


def _outside_address() -> str | None:
    """An address of this machine other than loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = str(sock.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'guard.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        make_user(session, "ann", "agent")
        make_user(session, "root", "admin")
        make_case(session, "my parcel never arrived", 70)
        session.commit()
    engine.dispose()
    return url


@pytest.fixture
def dashboard(tmp_path: Path, db_file: str) -> Iterator[str]:
    port = free_port()
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'[database]\nurl = "{db_file}"\n\n[dashboard]\nport = {port}\nrefresh_seconds = 2\n',
        encoding="utf-8",
    )
    env = dict(os.environ, PYTHONPATH=str(REPO), MONITOR_CONFIG=str(config))
    env.pop("MONITOR_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "dashboard"],
        cwd=tmp_path,  # not the project folder: no .streamlit/config.toml is picked up there
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the streamlit child stops with it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _browser_page(playwright: object) -> Page:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)  # type: ignore[attr-defined]
    page: Page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    return page


def _signed_in_queue(playwright: object, url: str) -> Page:
    page = _browser_page(playwright)
    sign_in(page, url, "ann")
    expect(page.get_by_role("button", name="Claim")).to_be_visible()
    return page


def test_fresh_server_shows_only_the_sign_in_form_at_every_page_url(dashboard: str) -> None:
    assert Path(CHROMIUM).exists(), "install chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        page = _browser_page(playwright)
        for name in PAGES:  # before anyone has signed in on this server
            page.goto(f"{dashboard}/{name}")
            expect(page.get_by_role("button", name="Sign in")).to_be_visible()
            expect(page.get_by_role("textbox", name="Username")).to_be_visible()
            body = page.inner_text("body")
            for other in ("Users and roles", "Order linking", "Approvals", "Connectors"):
                assert other not in body, f"/{name} shows {other!r} before sign-in"
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        # Viewer toolbar: no Deploy button, no developer menu items.
        assert page.get_by_role("button", name="Deploy").count() == 0
        assert page.locator('[data-testid="stAppDeployButton"]').count() == 0


def test_dashboard_listens_on_localhost_only(dashboard: str) -> None:
    port = int(dashboard.rsplit(":", 1)[1])
    outside = _outside_address()
    if outside is None:
        pytest.skip("this machine has no address besides loopback to try")
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(2)
        sock.connect((outside, port))


def test_deactivated_users_open_queue_stops_and_cannot_claim(dashboard: str, db_file: str) -> None:
    with sync_playwright() as playwright:
        page = _signed_in_queue(playwright, dashboard)

        engine = make_engine(db_file)
        with session_factory(engine)() as session, session.begin():
            accounts.set_active(session, SYSTEM, "ann", False)
        # The next automatic refresh (every 2 s here) finds the session gone.
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=20_000)
        expect(page.get_by_role("button", name="Claim")).to_have_count(0)

        with session_factory(engine)() as session:
            assert session.scalars(select(Case.assignee_id)).all() == [None]
            actions = session.scalars(select(AuditEntry.action)).all()
            assert "case.claim" not in actions
        engine.dispose()


def test_claim_from_a_page_opened_before_deactivation_is_refused(
    dashboard: str, db_file: str
) -> None:
    """The click reaches the server before any refresh noticed: it must still be refused."""
    engine = make_engine(db_file)
    with sync_playwright() as playwright:
        page = _signed_in_queue(playwright, dashboard)
        claim = page.get_by_role("button", name="Claim")
        with session_factory(engine)() as session, session.begin():
            accounts.set_active(session, SYSTEM, "ann", False)
        claim.click()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=20_000)
    with session_factory(engine)() as session:
        assert session.scalars(select(Case.assignee_id)).all() == [None]
    engine.dispose()
