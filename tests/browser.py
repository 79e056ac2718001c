"""The real dashboard in a real browser: `streamlit run dashboard/server.py` on a free port
against a given database, driven through Playwright with Debian's chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from casework import PASSWORD
from playwright.sync_api import Locator, Page, expect

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, seconds: float = 60) -> None:
    """Streamlit answers /_stcore/health once the app can be served."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"the dashboard at {url} did not start within {seconds:g} s")


@contextmanager
def running_dashboard(db_url: str) -> Iterator[str]:
    """The dashboard's URL while it runs against `db_url`."""
    port = free_port()
    env = dict(os.environ, MONITOR_DATABASE_URL=db_url, PYTHONPATH=str(REPO))
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "server.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=True)


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible(timeout=30_000)


def menu_link(page: Page, name: str) -> Locator:
    """A navigation item by its page name; Approvals may carry a count ("Approvals (2)")."""
    return page.get_by_role("link", name=re.compile(rf"^{re.escape(name)}( \(\d+\))?$"))


def click_queue_row(page: Page, row: int) -> None:
    """Click the `row`-th row (from 0) of the queue table, as a user does."""
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible(timeout=30_000)
    box = grid.bounding_box()
    assert box is not None
    header, height = 35, 35
    page.mouse.click(box["x"] + 200, box["y"] + header + height * row + height / 2)
