"""End to end in a real browser: a demo case with an impostor reply shows the banner, the agent
sends the warning (twice: one message) and reports the account, and the Impostors page lists it.

Reuses the Streamlit server and browser helpers of test_dashboard_flow.py.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from casework import make_user
from e2e.test_dashboard_flow import ARGS, CHROMIUM, server, shot, sign_in
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from monitor.cases.audit_verify import verify_chain
from monitor.cases.rollup import score_and_roll_up
from monitor.context import AppContext
from monitor.db.engine import make_engine, session_factory
from monitor.db.migrate import upgrade
from monitor.db.models import AuditEntry, ImpostorReport, OutboxMessage
from monitor.demo.seed import load_demo
from monitor.impostors.job import run_impostor_checks
from monitor.impostors.service import impostor_accounts
from monitor.settings import load_settings

__all__ = ["server"]  # the fixture, imported for this module's tests
WAIT = 30_000  # ms: a rerun on two busy cores can take more than expect's default 5 s


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        load_demo(session, seed=7, customers=12, posts=40, days=2, now=datetime.now(UTC))
        make_user(session, "agent", "agent")
        make_user(session, "supervisor", "supervisor")
    settings = load_settings()  # config/monitor.toml: the demo brand ShopNow
    run = run_impostor_checks(engine, factory, settings.brand, settings.impostors, {})
    assert run.flagged == 2, run.describe()
    score_and_roll_up(factory, AppContext(settings).model, settings)  # the real model, as the demo
    engine.dispose()
    return url


def _impostor_case(url: str) -> int:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        [case_id] = next(
            a for a in impostor_accounts(session) if a.handle == "ShopNowHe1p"
        ).case_ids
    engine.dispose()
    return case_id


def test_banner_warning_report_and_impostors_page(server: str, db_file: str) -> None:
    assert Path(CHROMIUM).exists(), "install chromium: apt-get install -y chromium"
    case_id = _impostor_case(db_file)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(30_000)

        sign_in(page, server, "agent")
        page.get_by_role("link", name="Case", exact=True).click()
        picker = page.get_by_role("combobox", name="Case")
        picker.click()
        picker.fill(f"#{case_id} ·")
        # Click the case's own option: Enter would take whichever option is highlighted before
        # the list has filtered.
        page.get_by_role("option", name=re.compile(rf"^#{case_id} ·")).click()
        banner = page.get_by_text("Possible impostor reply from @ShopNowHe1p:")
        expect(banner).to_be_visible(timeout=WAIT)  # the page reruns for the picked case
        expect(banner).to_contain_text("look-alike name")
        expect(banner).to_contain_text("phone number")
        shot(page, "impostor-1-banner")

        # The banner's own box: the nearest element around it that holds its buttons.
        box = banner.locator("xpath=ancestor::div[.//button][1]")
        box.get_by_role("button", name="Send warning reply").dblclick()  # a hurried user
        expect(page.get_by_text("Warning reply queued").first).to_be_visible(timeout=WAIT)
        box.get_by_role("button", name="Send warning reply").click()
        box.get_by_role("button", name="Report account").click()
        expect(page.get_by_text("Account recorded as reported")).to_be_visible(timeout=WAIT)
        expect(box.get_by_role("button", name="Account reported")).to_be_disabled(timeout=WAIT)
        shot(page, "impostor-2-warned-and-reported")
        page.get_by_role("button", name="Sign out").click()
        # Wait until the sign-out has run: navigating away first would keep the old session.
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)

        sign_in(page, server, "supervisor")
        page.get_by_role("link", name="Impostors").click()
        expect(page.get_by_role("heading", name="Impostors")).to_be_visible(timeout=WAIT)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV for trust and safety").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
        shot(page, "impostor-3-impostors-page")
        browser.close()

    rows = {row["handle"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert set(rows) == {"'@ShopNowHe1p", "'@ShopNow_Care"}  # '@ keeps Excel from a formula
    assert rows["'@ShopNowHe1p"]["reported_by"] == "agent"
    assert rows["'@ShopNowHe1p"]["case_ids"] == str(case_id)
    engine = make_engine(db_file)
    with session_factory(engine)() as session:
        [warning] = session.scalars(select(OutboxMessage)).all()
        assert warning.case_id == case_id and "@ShopNowHe1p is not us" in warning.text
        assert session.scalars(select(ImpostorReport)).one().reported_by is not None
        actions = session.scalars(select(AuditEntry.action)).all()
        assert actions.count("impostor.report") == 1 and actions.count("reply.queue") == 1
        assert verify_chain(session).intact
    engine.dispose()
