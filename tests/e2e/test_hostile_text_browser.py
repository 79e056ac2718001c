"""In a real browser, hostile handles, display names, notes and reasons stay text: no request
leaves for the pixel host, no injected link, heading, image or formula exists, and the
right-to-left override and zero-width characters are visibly marked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import ARGS, CHROMIUM, menu_link, running_dashboard, shot, sign_in
from hostile_text import PIXEL_HOST, add_hostile_case
from playwright.sync_api import Page, Route, expect, sync_playwright

from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade

PAGES = [
    "Case",
    "Approvals",
    "Connectors",
    "Alerts",
    "Impostors",
    "Users and roles",
]
CASE_TABS = ["Customer", "Orders", "Resolutions", "Urgency", "Notes"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        add_hostile_case(session)
    engine.dispose()
    with running_dashboard(url) as address:
        yield address


def assert_nothing_rendered(page: Page, where: str) -> None:
    body = page.locator("section.stMain, [data-testid='stSidebar']")
    assert body.first.is_visible()
    html = page.content()
    links = page.locator(f"a[href*='{PIXEL_HOST}']")
    assert links.count() == 0, [
        links.nth(n).evaluate("e => e.parentElement.outerHTML") for n in range(links.count())
    ]
    assert page.locator(f"img[src*='{PIXEL_HOST}']").count() == 0, where
    assert page.locator("h1, h2, h3, h4, h5, h6").filter(has_text="HUGE").count() == 0, where
    assert page.locator(".katex, math").count() == 0, where  # no LaTeX
    assert "\u202e" not in page.inner_text("body") and "\u200b" not in html, where


def test_hostile_text_stays_text_in_the_browser(server: str) -> None:
    assert Path(CHROMIUM).exists(), "install chromium: apt-get install -y chromium"
    requested: list[str] = []

    def block(route: Route) -> None:
        requested.append(route.request.url)
        route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(30_000)
        page.route(f"**/*{PIXEL_HOST}*/**", block)
        page.on("request", lambda request: requested.append(request.url))

        sign_in(page, server, "root")
        expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
        assert_nothing_rendered(page, "Queue")
        # The table toolbar offers no CSV download (exports go through the checked button).
        page.locator("[data-testid='stDataFrame']").first.hover()
        expect(page.get_by_role("button", name="Search").first).to_be_visible()  # the toolbar
        assert page.get_by_role("button", name="Download as CSV").count() == 0

        page.get_by_role("button", name="Open case").click()
        expect(page.get_by_role("heading", name="Case", exact=True)).to_be_visible()
        for name in CASE_TABS:  # every part of the case workspace
            page.get_by_role("tab", name=name).click()
            page.wait_for_timeout(300)
            assert_nothing_rendered(page, f"Case: {name}")
        page.get_by_role("tab", name="Notes").click()
        expect(page.get_by_text("Approved by CFO").first).to_be_visible()
        page.get_by_role("tab", name="Customer").click()
        # The spoofing characters are shown as markers, and the attack text as plain text.
        expect(page.get_by_text("⟪U+202E⟫").first).to_be_visible()
        expect(page.get_by_text("ad⟪U+200B⟫min").first).to_be_visible()
        expect(page.get_by_text(":material/warning:").first).to_be_visible()
        expect(page.get_by_text(":red[URGENT]").first).to_be_visible()  # not a coloured word
        expect(
            page.get_by_text("[Click to verify](https://evil.example/login)").first
        ).to_be_visible()
        shot(page, "hostile-case")
        assert_nothing_rendered(page, "Case")

        for name in PAGES[1:]:
            menu_link(page, name).click()
            expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
            page.wait_for_timeout(1500)  # let every element of the page arrive
            assert_nothing_rendered(page, name)
        shot(page, "hostile-users")
        browser.close()

    leaked = [url for url in requested if PIXEL_HOST in url]
    assert not leaked, leaked
    assert requested, "the request log must see the dashboard's own requests"
