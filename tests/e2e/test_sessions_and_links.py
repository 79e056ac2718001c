"""Signing in like a web app, in a real browser: a refresh and a new tab stay signed in, a
`?case=` link opens its case (after the sign-in form if needed), a click on a queue row
opens the case, and signing out removes the cookie and ends the session on the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import ARGS, CHROMIUM, click_queue_row, running_dashboard, shot, sign_in
from casework import PASSWORD, make_case, make_user
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import select

from monitor.auth.cookies import COOKIE_NAME
from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import LoginSession


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        make_user(session, "ann", "agent")
        cases = {
            "parcel": make_case(session, "my parcel never arrived", 90, author="dana").id,
            "refund": make_case(session, "still waiting for my refund", 60, author="eli").id,
            "praise": make_case(session, "thanks for the quick help", 10, author="fay").id,
        }
        session.commit()
    engine.dispose()
    return url, cases


@pytest.fixture
def server(seeded: tuple[str, dict[str, int]]) -> Iterator[str]:
    with running_dashboard(seeded[0]) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(30_000)
    return context


def _cookie(context: BrowserContext) -> dict | None:  # type: ignore[type-arg]
    found = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    return dict(found[0]) if found else None


def _wait_for_cookie(page: Page, context: BrowserContext) -> dict:  # type: ignore[type-arg]
    for _ in range(50):
        cookie = _cookie(context)
        if cookie is not None:
            return cookie
        page.wait_for_timeout(200)
    raise AssertionError("the sign-in cookie was never set")


def _signed_in(browser: Browser, server: str) -> tuple[BrowserContext, Page]:
    """A fresh browser context with ann signed in, on the Queue."""
    context = _context(browser)
    page = context.new_page()
    sign_in(page, server, "ann")
    return context, page


WAIT = 30_000  # ms: the machine may be busy; a page still appears, only later


def _signed_in_as(page: Page, username: str) -> None:
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def _case_shown(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", name="Case", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(text).first).to_be_visible(timeout=WAIT)


def test_refresh_new_tab_link_and_sign_out(
    server: str, seeded: tuple[str, dict[str, int]], browser: Browser
) -> None:
    db_url, cases = seeded
    context, page = _signed_in(browser, server)
    cookie = _wait_for_cookie(page, context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert cookie["expires"] > 0  # lasts as long as the session, not only the tab
    assert page.evaluate("document.cookie").find(COOKIE_NAME) == -1  # scripts cannot read it

    page.reload()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible(timeout=WAIT)
    _signed_in_as(page, "ann")

    # A second tab opens a shared case link, already signed in.
    other = context.new_page()
    other.goto(f"{server}/?case={cases['refund']}")
    _case_shown(other, "still waiting for my refund")
    _signed_in_as(other, "ann")
    shot(other, "sessions-1-linked-case")
    other.close()

    # A click on a queue row opens that case, and the address bar becomes its link.
    page.goto(server)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible(timeout=WAIT)
    click_queue_row(page, 1)  # the second row: the refund case
    _case_shown(page, "still waiting for my refund")
    expect(page).to_have_url(f"{server}/case?case={cases['refund']}", timeout=WAIT)

    # Signing out removes the cookie and ends the session on the server.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    for _ in range(50):
        if _cookie(context) is None:
            break
        page.wait_for_timeout(200)
    assert _cookie(context) is None
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        assert session.scalars(select(LoginSession.revoked)).all() == [True]
    engine.dispose()
    context.close()


def test_a_case_link_survives_the_sign_in_form(
    server: str, seeded: tuple[str, dict[str, int]], browser: Browser
) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{server}/?case={seeded[1]['praise']}")
    page.get_by_role("textbox", name="Username").fill("ann")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _case_shown(page, "thanks for the quick help")
    context.close()


def test_edited_or_made_up_cookie_shows_the_sign_in_form(
    server: str, seeded: tuple[str, dict[str, int]], browser: Browser
) -> None:
    context, page = _signed_in(browser, server)
    cookie = _wait_for_cookie(page, context)
    token, _, signature = cookie["value"].rpartition(".")
    forged = {**cookie, "value": f"{token}.{signature[::-1]}"}
    context.clear_cookies()
    context.add_cookies([forged])  # type: ignore[list-item]
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    # The page also removes the bad cookie, so it is not sent again.
    for _ in range(50):
        if _cookie(context) is None:
            break
        page.wait_for_timeout(200)
    assert _cookie(context) is None
    context.close()


def test_r_on_the_queue_opens_the_case_ready_to_reply(
    server: str, seeded: tuple[str, dict[str, int]], browser: Browser
) -> None:
    """j moves the marker to the second case; r opens it with the cursor in the reply box."""
    context, page = _signed_in(browser, server)
    expect(page.get_by_role("button", name="j ↓")).to_be_visible(timeout=WAIT)
    page.get_by_role("heading", name="Queue").click()  # the page, not a field, has focus
    page.keyboard.press("j")
    page.wait_for_timeout(1500)
    page.keyboard.press("r")
    _case_shown(page, "still waiting for my refund")
    reply = page.get_by_role("textbox", name="Reply")
    expect(reply).to_be_focused(timeout=WAIT)
    page.keyboard.type("On it")
    expect(reply).to_have_value("On it")
    context.close()
