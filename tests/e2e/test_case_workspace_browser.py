"""The case workspace in a real browser: an agent opens the top queue row, links an order,
replies and requests a refund without leaving the case page; a senior follows the Approvals
count to the case and approves it there; both stay signed in across a reload, and a case link
opens its case after the sign-in form. A hostile display name and post stay text; two people
on one case see each other, and see when the other is writing a reply."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import ARGS, CHROMIUM, click_queue_row, running_dashboard, shot, sign_in
from casework import PASSWORD, link_author, make_customer, make_order, make_user
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import CaseOrderLink, OutboxMessage, Post, Resolution, Score, User
from monitor.db.types import utcnow
from monitor.ingest import store_posts
from monitor.sources.base import AuthorInfo, IncomingPost

ORDER = "112-6500000-0000650"
EVIL = "evil.example"
NAME = f"[Dana](https://{EVIL}/x) :red[VIP] $x^2$"
POST = f"My $650 headphones never arrived! Marked delivered. ![](https://{EVIL}/p.png)"
REPLY = "We're so sorry, Dana. We're checking this with the carrier now."
REASON = "money at stake, public post"
WAIT = 30_000  # ms: the machine may be busy; a page still appears, only later


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'workspace.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        make_user(session, "agent", "agent")
        make_user(session, "senior", "senior")
        make_user(session, "supervisor", "supervisor")
        # A calmer case below the one the agent works, so "the top row" means something.
        calm = _post(session, "x-1", "eli", "thanks, all sorted now")
        session.add(
            Score(
                post=calm, model_version="fixture", negative=0.1, neutral=0.3, positive=0.6,
                urgency=12, intent="praise", topics="praise", language="en",
                language_supported=True, explanation="nothing urgent: calm, no risk",
                factors={"public": 12.0},
            )
        )  # fmt: skip
        assert calm.case is not None
        calm.case.priority, calm.case.intent = 12, "praise"
        customer = make_customer(session, "Dana Reyes", "dana")
        make_order(session, customer, ORDER, "650.00", item="Noise Cancelling Headphones")
        incoming = IncomingPost(
            platform="facebook", external_id="fb-900", kind="comment",
            author=AuthorInfo("facebook", "100004567891234", "100004567891234",
                              display_name=NAME, followers=52_000),
            text=POST, created_at=utcnow(),
        )  # fmt: skip
        [post_id] = store_posts(session, [incoming]).new_post_ids
        post = session.get_one(Post, post_id)
        session.add(
            Score(
                post=post, model_version="fixture", negative=0.9, neutral=0.05, positive=0.05,
                urgency=92, intent="delivery", topics="delivery", language="en",
                language_supported=True, explanation=REASON,
                factors={"time_pressure": 30.0, "negative": 25.0, "high_value": 20.0,
                         "public": 10.0, "reach": 7.0},
            )
        )  # fmt: skip
        assert post.case is not None
        post.case.priority, post.case.intent = 92, "delivery"
        link_author(session, post.case, customer)
        session.commit()
    engine.dispose()
    return url


def _post(session: Session, external_id: str, handle: str, text: str) -> Post:
    incoming = IncomingPost(
        platform="x", external_id=external_id, kind="mention",
        author=AuthorInfo("x", f"id-{handle}", handle), text=text, created_at=utcnow(),
    )  # fmt: skip
    [post_id] = store_posts(session, [incoming]).new_post_ids
    return session.get_one(Post, post_id)


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def signed_in(browser: Browser, url: str, username: str, width: int = 1280) -> Page:
    """A separate browser context per person, signed in and on the Queue."""
    page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()
    page.set_default_timeout(WAIT)
    sign_in(page, url, username)
    return page


def open_case(browser: Browser, url: str, username: str, width: int = 1280) -> Page:
    """Signed in, on the most urgent case, opened from the Case menu item."""
    page = signed_in(browser, url, username, width)
    page.get_by_role("link", name="Case", exact=True).click()
    case_shown(page)
    return page


def case_shown(page: Page) -> None:
    expect(page.get_by_role("heading", name="Case", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("tab", name="Customer")).to_be_visible(timeout=WAIT)


def assert_reason_in_view(page: Page, reason: str, row: int = 0) -> None:
    """The queue's Why column is on screen, uncut, with `reason` in row `row` (from 0).

    The grid draws on a canvas and mirrors only the columns it draws into an accessible
    table. Why is the sixth column; when the seventh (Author) is drawn too, Why is whole."""
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible(timeout=WAIT)
    expect(grid.locator("th[aria-colindex='6']")).to_have_text("Why", timeout=WAIT)
    expect(grid.locator("th[aria-colindex='7']")).to_have_count(1)
    cell = grid.locator(f"tr[aria-rowindex='{row + 2}'] td[aria-colindex='6']")  # 1: header
    expect(cell).to_have_text(reason, timeout=WAIT)
    box = grid.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def signed_in_as(page: Page, username: str) -> None:
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)


def idle(page: Page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


def reply_box(page: Page) -> Locator:
    """The reply box, once the page shows only one (a rerun briefly shows the old form
    beside the new one)."""
    box = page.get_by_role("textbox", name="Reply")
    expect(box).to_have_count(1)
    return box


def test_the_whole_job_on_one_page(db_file: str, browser: Browser) -> None:
    requests: list[str] = []
    with running_dashboard(db_file) as url:
        # The queue at 1280 px shows why the top case is urgent; a click on its row opens it.
        page = signed_in(browser, url, "agent", width=1280)
        page.on("request", lambda request: requests.append(request.url))
        assert_reason_in_view(page, REASON)
        shot(page, "workspace-0-queue-1280")
        click_queue_row(page, 0)
        case_shown(page)
        start = page.url
        assert "case?case=" in start

        # Hostile display name and post: shown as their text, nothing rendered from them.
        shot(page, "workspace-1-case-1280")
        expect(page.get_by_text(POST).first).to_be_visible()
        expect(page.get_by_text(NAME).first).to_be_visible()
        assert page.locator(f"a[href*='{EVIL}'], img[src*='{EVIL}']").count() == 0
        assert page.locator(".katex").count() == 0
        expect(page.get_by_text("100004567891234")).to_have_count(0)  # no raw numeric id
        expect(page.get_by_text("on Facebook").first).to_be_visible()

        # Orders: link the suggested order.
        page.get_by_role("tab", name="Orders").click()
        page.get_by_role("button", name=f"Link {ORDER}").click()
        expect(page.get_by_text(f"Order {ORDER} linked").first).to_be_visible()
        idle(page)

        # Reply: the counter shows the limit, the composer clears, the thread shows it.
        box = reply_box(page)
        box.fill(REPLY)
        box.press("Tab")
        expect(page.get_by_text(f"{len(REPLY)} / 280 characters").first).to_be_visible()
        idle(page)
        page.get_by_role("button", name="Send reply").click()
        expect(page.get_by_text("Reply queued").first).to_be_visible()
        expect(reply_box(page)).to_have_value("")
        expect(page.get_by_text(REPLY).first).to_be_visible()
        idle(page)

        # Resolutions: a $650 refund waits for approval, said in one neutral sentence.
        page.get_by_role("tab", name="Resolutions").click()
        amount = page.get_by_label("Amount (refund, replacement, credit)")
        amount.fill("650")
        amount.press("Tab")
        idle(page)
        page.get_by_role("button", name="Request resolution").click()
        expect(page.get_by_text("is waiting for approval by").first).to_be_visible()
        expect(page.get_by_test_id("stAlertContentSuccess")).to_have_count(0)
        # Why urgent: every factor in words, none as a stored key.
        page.get_by_role("tab", name="Urgency").click()
        idle(page)
        shot(page, "workspace-2-after-request-1280")
        assert page.url == start  # never left the case page
        assert "time_pressure" not in page.inner_text("body")

        # A senior sees the count and a notice, follows the approval to the case, approves.
        senior = signed_in(browser, url, "senior", width=1920)
        # Answered now, the case sits below the one still owed a first reply.
        assert_reason_in_view(senior, REASON, row=1)
        shot(senior, "workspace-3-queue-1920")
        expect(senior.get_by_text("Waiting for your approval: refund of $650.00")).to_be_visible()
        menu = senior.get_by_role("link", name="Approvals (1)")
        expect(menu).to_be_visible()
        menu.click()
        expect(senior.get_by_role("heading", name="Approvals")).to_be_visible(timeout=WAIT)
        senior.get_by_role("button", name="Open case").click()
        case_shown(senior)
        assert senior.url.removeprefix(url) == start.removeprefix(url)  # the agent's case
        expect(senior.get_by_text(REPLY).first).to_be_visible()
        senior.get_by_role("tab", name="Resolutions").click()
        senior.get_by_role("button", name="Approve").click()
        expect(
            senior.get_by_text(re.compile(r"refund \$650\.00 carried out", re.I)).first
        ).to_be_visible(timeout=WAIT)
        expect(senior.get_by_role("button", name="Approve")).to_have_count(0, timeout=WAIT)
        # Nothing waits any more: the menu item loses its count.
        expect(senior.get_by_role("link", name="Approvals", exact=True)).to_be_visible(timeout=WAIT)
        shot(senior, "workspace-4-approved-1920")

        # A reload keeps both signed in, each on the page they were on.
        for person, name in ((page, "agent"), (senior, "senior")):
            person.reload()
            case_shown(person)
            signed_in_as(person, name)

        # The case's link, opened in a fresh browser, shows the case after the sign-in form.
        fresh = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        fresh.set_default_timeout(WAIT)
        fresh.goto(start)
        fresh.get_by_role("textbox", name="Username").fill("supervisor")
        fresh.get_by_role("textbox", name="Password").fill(PASSWORD)
        fresh.get_by_role("button", name="Sign in").click()
        case_shown(fresh)
        expect(fresh.get_by_text(POST).first).to_be_visible(timeout=WAIT)
        for person in (page, senior, fresh):
            person.close()

    assert not [r for r in requests if EVIL in r]
    engine = make_engine(db_file)
    with session_factory(engine)() as session:
        assert session.scalars(select(CaseOrderLink.order_id)).all() == [ORDER]
        assert session.scalars(select(OutboxMessage.text)).all() == [REPLY]
        [resolution] = session.scalars(select(Resolution)).all()
        assert resolution.status == "executed" and resolution.amount == 650
        senior_id = session.scalars(select(User.id).where(User.username == "senior")).one()
        assert resolution.decided_by == senior_id
        assert start.endswith(f"case={resolution.case_id}")
    engine.dispose()


def test_two_people_on_one_case_see_each_other(db_file: str, browser: Browser) -> None:
    with running_dashboard(db_file) as url:
        agent = open_case(browser, url, "agent")
        supervisor = open_case(browser, url, "supervisor", width=1920)
        expect(supervisor.get_by_text("agent (agent) has it open").first).to_be_visible(
            timeout=30_000
        )
        # The agent's page refreshes its presence line on its own.
        expect(agent.get_by_text("supervisor (supervisor) has it open").first).to_be_visible(
            timeout=45_000
        )
        box = reply_box(agent)
        box.fill("Looking into it now")
        box.press("Tab")  # the reply box reports activity when it changes
        expect(supervisor.get_by_text("agent (agent) is writing a reply").first).to_be_visible(
            timeout=45_000
        )
        shot(supervisor, "workspace-3-presence-1920")
