"""End to end in a real browser: an agent asks for a $650 refund, a supervisor approves it.

Runs `streamlit run dashboard/app.py` on a free port against a seeded temporary SQLite
database and drives Debian's chromium through Playwright. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from browser import ARGS, CHROMIUM, running_dashboard, shot, sign_in
from casework import link_author, make_customer, make_order, make_user
from factories import add_scored_post
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from monitor.cases.audit_verify import verify_chain
from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import AuditEntry, LedgerEntry, Resolution
from monitor.db.types import utcnow

ORDER = "112-6500000-0000650"


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        make_user(session, "agent", "agent")
        make_user(session, "supervisor", "supervisor")
        customer = make_customer(session, "Dana Reyes", "dana")
        make_order(session, customer, ORDER, "650.00", item="Noise Cancelling Headphones")
        make_order(session, customer, "112-0000001-0000012", "12.00", item="Phone case")
        urgent = add_scored_post(
            session, "900", "My $650 noise cancelling headphones never arrived! Marked delivered",
            92, author="dana", intent="delivery", followers=52000,
        )  # fmt: skip
        assert urgent.case is not None
        urgent.case.sla_due_at = utcnow() + timedelta(minutes=40)
        link_author(session, urgent.case, customer)
        add_scored_post(session, "901", "love the app", 8, author="sam", intent="praise")
        session.commit()
    engine.dispose()
    return url


@pytest.fixture
def server(db_file: str) -> Iterator[str]:
    with running_dashboard(db_file) as url:
        yield url


def test_agent_requests_supervisor_approves(server: str, db_file: str) -> None:
    assert Path(CHROMIUM).exists(), "install chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)

        sign_in(page, server, "agent")
        expect(page.get_by_text("2 cases match")).to_be_visible()
        shot(page, "1-queue")
        page.get_by_role("button", name="Open case").click()  # the ▶ row: the most urgent case
        expect(page.get_by_role("heading", name="Case", exact=True)).to_be_visible()
        expect(page.get_by_text("Dana Reyes").first).to_be_visible()

        page.get_by_role("tab", name="Orders").click()
        link = page.get_by_role("button", name=f"Link {ORDER}")
        expect(link).to_be_visible()
        shot(page, "2-order-suggestions")
        link.click()
        expect(page.get_by_text(f"Order {ORDER} linked")).to_be_visible()

        page.get_by_role("tab", name="Resolutions").click()
        amount = page.get_by_label("Amount (refund, replacement, credit)")
        amount.fill("650")
        amount.press("Tab")
        page.get_by_role("button", name="Request resolution").click()
        expect(page.get_by_text("is waiting for approval").first).to_be_visible()
        shot(page, "3-waiting-for-approval")
        page.get_by_role("button", name="Sign out").click()
        # Wait until the sign-out has run: navigating away first would keep the old session.
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)

        sign_in(page, server, "supervisor")
        page.get_by_role("link", name="Approvals").click()
        expect(page.get_by_text("refund $650.00").first).to_be_visible()
        shot(page, "4-approvals")
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_text("carried out").first).to_be_visible()
        shot(page, "5-approved")
        browser.close()

    engine = make_engine(db_file)
    with session_factory(engine)() as session:
        [entry] = session.scalars(select(LedgerEntry)).all()
        assert entry.amount == Decimal("650.00") and entry.order_id == ORDER
        resolution = session.scalars(select(Resolution)).one()
        assert resolution.status == "executed"
        steps = session.execute(
            select(AuditEntry.actor, AuditEntry.action).where(AuditEntry.entity == "resolution")
        ).all()
        assert [tuple(s) for s in steps] == [
            ("agent", "resolution.request"),
            ("supervisor", "resolution.approve"),
            ("supervisor", "resolution.execute"),
        ]
        assert verify_chain(session).intact
    engine.dispose()
