"""Every action form, double-clicked and clicked again, in a real browser; the same case in two
tabs. Afterwards the database holds exactly one row per submission: one ledger payment per
resolution, one outbox row per reply, one note, one link, one decision."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from browser import ARGS, CHROMIUM, menu_link, running_dashboard, shot, sign_in
from casework import link_author, make_customer, make_order, make_user
from factories import add_scored_post
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.cases.audit import verify_chain
from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import (
    AuditEntry,
    CaseNote,
    CaseOrderLink,
    LedgerEntry,
    OutboxMessage,
    Resolution,
)

BIG, SMALL = "112-6500000-0000650", "112-0000001-0000012"


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'once.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        make_user(session, "agent", "agent")
        make_user(session, "supervisor", "supervisor")
        dana = make_customer(session, "Dana Reyes", "dana")
        make_order(session, dana, BIG, "650.00", item="Noise Cancelling Headphones")
        make_order(session, dana, SMALL, "12.00", status="shipped", item="Phone case", days_ago=20)
        post = add_scored_post(
            session, "900", "My $650 noise cancelling headphones never arrived! Marked delivered",
            92, author="dana", intent="delivery",
        )  # fmt: skip
        assert post.case is not None
        link_author(session, post.case, dana)
        session.commit()
    engine.dispose()
    return url


@pytest.fixture
def server(db_file: str) -> Iterator[str]:
    with running_dashboard(db_file) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def tab(browser: Browser, server: str, username: str) -> Page:
    """A new tab (its own Streamlit session), signed in, on the most urgent case."""
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(30_000)
    sign_in(page, server, username)
    page.get_by_role("button", name="Open case").click()
    expect(page.get_by_role("heading", name="Case", exact=True)).to_be_visible()
    return page


def go(page: Page, name: str) -> None:
    menu_link(page, name).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def choose(page: Page, label: str, option: str) -> None:
    """Pick from a Streamlit selectbox by typing, as a keyboard user would."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)  # let the rerun that follows a change finish


def button(page: Page, name: str) -> Locator:
    """The button, once the page has settled on one of that name (a rerun briefly shows the
    old form beside the new one)."""
    found = page.get_by_role("button", name=name)
    expect(found).to_have_count(1)
    return found


def said(page: Page, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible()
    settle(page)


def settle(page: Page) -> None:
    """Wait until the app is idle (no script run in progress), so the next click lands on
    the form the user now sees."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


def count(session: Session, model: type, *where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def audited(session: Session, action: str) -> int:
    return count(session, AuditEntry, AuditEntry.action == action)


def test_double_clicks_repeats_and_two_tabs_act_once(
    server: str, db_file: str, browser: Browser
) -> None:
    page = tab(browser, server, "agent")

    # Orders: a double click on "Link" links once.
    page.get_by_role("tab", name="Orders").click()
    page.get_by_role("button", name=f"Link {SMALL}").dblclick()
    said(page, f"Order {SMALL} linked")
    page.get_by_role("button", name=f"Link {BIG}").dblclick()
    said(page, f"Order {BIG} linked")

    # Resolutions: a $5 refund, double-clicked, then clicked again once the form is empty.
    page.get_by_role("tab", name="Resolutions").click()
    choose(page, "Order", SMALL)
    amount = page.get_by_label("Amount (refund, replacement, credit)")
    amount.fill("5")
    amount.press("Tab")
    button(page, "Request resolution").dblclick()
    said(page, "carried out")
    emptied = page.get_by_label("Amount (refund, replacement, credit)")
    expect(emptied).to_have_count(1)  # a rerun briefly shows the old form beside the new one
    expect(emptied).to_have_value("0.00")
    button(page, "Request resolution").click()
    said(page, "needs an amount above zero")
    shot(page, "once-1-refund")

    # Note, status and claim: double clicks, then a repeat of the emptied note form.
    page.get_by_role("tab", name="Notes").click()
    page.get_by_label("New note (never sent to the customer)").fill("called the carrier")
    button(page, "Add note").dblclick()
    said(page, "Note added.")
    button(page, "Add note").click()
    said(page, "the note is empty")
    choose(page, "Status", "open")
    button(page, "Update status").dblclick()
    said(page, "Status set to open.")
    button(page, "Claim").dblclick()
    said(page, "Case claimed.")

    # Reply: a double click queues one reply; a click on the emptied form queues nothing.
    page.get_by_role("textbox", name="Reply").fill(
        "We're so sorry, @userdana. Please check your DMs."
    )
    button(page, "Send reply").dblclick()
    said(page, "Reply queued")
    button(page, "Send reply").click()
    said(page, "the reply is empty")
    shot(page, "once-2-reply")

    # Two tabs on the same case: the suggested $650 replacement is requested in both.
    other = tab(browser, server, "agent")
    for each in (page, other):
        each.get_by_role("tab", name="Resolutions").click()
    request_in = [p.get_by_role("button", name="Request this") for p in (page, other)]
    expect(request_in[1]).to_be_visible()
    request_in[0].dblclick()
    said(page, "is waiting for approval")
    request_in[1].click()
    said(other, "already done")
    shot(other, "once-3-second-tab")

    # Two supervisor tabs approve it: one decision, one payment; the other tab is told.
    first, second = tab(browser, server, "supervisor"), tab(browser, server, "supervisor")
    for approver in (first, second):
        go(approver, "Approvals")
        expect(approver.get_by_role("button", name="Approve")).to_be_visible()
    first.get_by_role("button", name="Approve").dblclick()
    said(first, "carried out")
    second.get_by_role("button", name="Approve").click()
    said(second, "already done")
    shot(second, "once-4-second-approver")

    engine = make_engine(db_file)
    with session_factory(engine)() as session:
        assert count(session, CaseOrderLink) == 2 and audited(session, "case.link_order") == 2
        payments = session.execute(select(LedgerEntry.order_id, LedgerEntry.amount)).all()
        assert sorted(payments) == [(SMALL, Decimal("5.00")), (BIG, Decimal("650.00"))]
        assert count(session, Resolution) == 2
        assert audited(session, "resolution.request") == 2
        assert audited(session, "resolution.approve") == 1
        assert count(session, CaseNote) == 1 and audited(session, "case.note") == 1
        assert audited(session, "case.status") == 1 and audited(session, "case.claim") == 1
        assert count(session, OutboxMessage) == 1 and audited(session, "reply.queue") == 1
        assert verify_chain(session).intact
    engine.dispose()
