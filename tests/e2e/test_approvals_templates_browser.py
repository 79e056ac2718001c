"""In a real browser: a supervisor sees the Approvals count and a notice, and opens the case
from its approval; an admin edits a reply template, and an unsafe one is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import ARGS, CHROMIUM, running_dashboard, shot, sign_in
from casework import ask_refund, make_user
from playwright.sync_api import Browser, expect, sync_playwright
from sqlalchemy import select

from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import ReplyTemplate, Resolution


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        make_user(session, "supervisor", "supervisor")
        make_user(session, "admin", "admin")
        ask_refund(session, make_user(session, "agent", "agent"), "650.00")
    engine.dispose()
    return url


@pytest.fixture
def browser(db_file: str) -> Iterator[tuple[Browser, str]]:
    assert Path(CHROMIUM).exists(), "install chromium: apt-get install -y chromium"
    with running_dashboard(db_file) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser, url
        browser.close()


def test_supervisor_follows_the_count_to_the_case(
    browser: tuple[Browser, str], db_file: str
) -> None:
    chromium, url = browser
    engine = make_engine(db_file)
    with session_factory(engine)() as session:
        [case_id] = session.scalars(select(Resolution.case_id))
    engine.dispose()
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    sign_in(page, url, "supervisor")
    expect(page.get_by_text("Waiting for your approval: refund of $650.00")).to_be_visible()
    menu = page.get_by_role("link", name="Approvals (1)")
    expect(menu).to_be_visible()
    shot(page, "approvals-1-count")
    menu.click()
    expect(page.get_by_role("heading", name="Approvals")).to_be_visible()
    expect(page.get_by_text("Waiting for approval", exact=True)).to_be_visible()
    expect(
        page.get_by_text("A refund of $650.00 is over the agent limit of $100.00.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    shot(page, "approvals-2-page")
    page.get_by_role("button", name="Open case").click()
    expect(page.get_by_role("heading", name="Case", exact=True)).to_be_visible()
    expect(page.get_by_text("refund me 650.00").first).to_be_visible()
    expect(page.get_by_text(f"#{case_id}").first).to_be_visible()
    shot(page, "approvals-3-case")


def test_admin_edits_a_template_and_an_unsafe_one_is_refused(
    browser: tuple[Browser, str], db_file: str
) -> None:
    chromium, url = browser
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    sign_in(page, url, "admin")
    page.get_by_role("link", name="Reply templates").click()
    expect(page.get_by_role("heading", name="Reply templates")).to_be_visible()

    page.get_by_role("combobox", name="Template").click()
    page.get_by_role("option", name="Refund issued").click()
    text = page.get_by_role("textbox", name="Text")
    expect(text).to_have_value(
        "Hi {name}, we've issued your refund. It can take 3-5 business days to show on your "
        "statement. Is there anything else we can help with?"
    )
    text.fill("Hi {name}, your refund is on its way: 3-5 business days.")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template 'Refund issued' saved.")).to_be_visible()
    shot(page, "templates-1-saved")

    text = page.get_by_role("textbox", name="Text")
    expect(text).to_have_count(1)  # the saved form is redrawn as a new one
    text.fill("Hi {first_name}, please DM us your password so we can check.")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("unknown placeholder {first_name}")).to_be_visible()
    expect(text).to_have_count(1)
    text.fill("Hi {name}, please DM us your password so we can check.")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("reply check:")).to_be_visible()
    shot(page, "templates-2-refused")

    engine = make_engine(db_file)
    with session_factory(engine)() as session:
        bodies = dict(session.execute(select(ReplyTemplate.name, ReplyTemplate.body)).all())
    engine.dispose()
    assert bodies["Refund issued"] == "Hi {name}, your refund is on its way: 3-5 business days."
    assert not any("password so we can check" in body for body in bodies.values())
