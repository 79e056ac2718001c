"""The Reports and Alerts pages run standalone, read through services and respect roles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
from factories import T0, add_scored_post
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from monitor.auth.permissions import Actor
from monitor.db.models import Alert
from monitor.db.types import utcnow

PAGES = Path(__file__).resolve().parents[2] / "dashboard" / "views"
ANALYST = Actor(user_id=1, username="ana", role="analyst")
AGENT = Actor(user_id=2, username="al", role="agent")


def _page(name: str, db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    st.cache_resource.clear()
    return AppTest.from_file(str(PAGES / name), default_timeout=60)


@pytest.mark.parametrize("name", ["reports.py", "alerts.py"])
def test_pages_ask_for_sign_in(name: str, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(name, db_url, monkeypatch)
    page.run()
    assert not page.exception
    assert "Sign in" in page.warning[0].value


def test_reports_page_charts_and_export(
    db_url: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    minutes = int((utcnow() - T0).total_seconds() // 60) - 60
    add_scored_post(session, "1", "=HYPERLINK(1) my parcel", 70, minutes=minutes, intent="delivery")
    session.commit()
    page = _page("reports.py", db_url, monkeypatch)
    page.session_state["actor"] = ANALYST
    page.run()
    assert not page.exception
    assert [m.value for m in page.metric][:2] == ["1", "1"]
    day = utcnow().date()
    page.button(key="reports_prepare").click().run()
    assert not page.exception and not page.error
    stem = f"escalations-{day - timedelta(days=6)}-{day}"
    files = dict(page.session_state["reports_files"])
    assert sorted(files) == [f"{stem}-posts.csv", f"{stem}.csv"]
    assert b"'=HYPERLINK(1) my parcel" in files[f"{stem}-posts.csv"]


def test_reports_page_hides_downloads_from_agents(
    db_url: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    minutes = int((utcnow() - T0).total_seconds() // 60) - 60
    add_scored_post(session, "1", "my parcel", 70, minutes=minutes)
    session.commit()
    page = _page("reports.py", db_url, monkeypatch)
    page.session_state["actor"] = AGENT
    page.run()
    assert not page.exception
    assert "Exports need" in page.caption[-1].value
    assert not page.get("button")


def test_alerts_page_lists_the_record(
    db_url: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.add(
        Alert(rule="urgency", route="ops", dedupe_key="k", title="Urgent post (91) in case 7",
              body="b", status="failed", attempts=2, error="HTTP 500",
              created_at=utcnow() - timedelta(minutes=5))
    )  # fmt: skip
    session.commit()
    page = _page("alerts.py", db_url, monkeypatch)
    page.session_state["actor"] = ANALYST
    page.run()
    assert not page.exception
    frame = page.dataframe[0].value
    assert list(frame["Alert"]) == ["Urgent post (91) in case 7"]
    assert list(frame["Error"]) == ["HTTP 500"]
    assert {m.label: m.value for m in page.metric}["failed (24 h)"] == "1"
