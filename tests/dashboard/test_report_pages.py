"""The Reports and Alerts pages follow the page pattern of the others (signed-in actor,
services through read/perform, "Signed in as" and Sign out), respect roles, and show
values in words and colours a reader understands."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
from casework import sign_in
from factories import T0, add_scored_post
from page_helpers import open_page, texts
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from monitor.db.models import Alert
from monitor.db.types import utcnow

PAGES = Path(__file__).resolve().parents[2] / "dashboard" / "views"


@pytest.mark.parametrize("name", ["reports.py", "alerts.py"])
def test_pages_draw_nothing_without_sign_in(
    name: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    st.cache_resource.clear()
    page = AppTest.from_file(str(PAGES / name), default_timeout=60)
    page.run()
    assert not page.exception
    assert not page.title and not page.dataframe and not page.button


def chrome(app: AppTest) -> tuple[str, list[str]]:
    """Who the sidebar says is signed in, and its buttons."""
    return (
        " ".join(str(c.value) for c in app.sidebar.caption),
        [str(b.label) for b in app.sidebar.button],
    )


def test_reports_page_charts_and_export(app: AppTest, session: Session) -> None:
    minutes = int((utcnow() - T0).total_seconds() // 60) - 60
    add_scored_post(session, "1", "=HYPERLINK(1) my parcel", 70, minutes=minutes, intent="delivery")
    session.commit()
    sign_in(app, session, "ana", "analyst")
    open_page(app, "reports")
    signed, buttons = chrome(app)
    assert "Signed in as **ana** (analyst)" in signed and "Sign out" in buttons
    assert [m.value for m in app.metric][:2] == ["1", "1"]

    times = app.dataframe[0].value
    assert list(times.columns) == ["Measure", "Cases", "Median", "90th percentile"]
    assert times.to_dict("records")[0] == {
        "Measure": "First reply", "Cases": 0, "Median": "—", "90th percentile": "—",
    }  # fmt: skip

    charts = [e for e in app.main if getattr(e, "type", "") == "vega_lite_chart"]
    [sla] = [json.loads(c.proto.spec) for c in charts if '"title": "SLA"' in c.proto.spec]
    scale = sla["encoding"]["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"], strict=True))
    assert colours == {"Met": "#2ca02c", "Missed": "#d62728", "Still open": "#9e9e9e"}

    day = utcnow().date()
    app.button(key="reports_prepare").click().run()
    assert not app.exception and not app.error
    stem = f"escalations-{day - timedelta(days=6)}-{day}"
    files = dict(app.session_state["reports_files"])
    assert sorted(files) == [f"{stem}-posts.csv", f"{stem}.csv"]
    assert b"'=HYPERLINK(1) my parcel" in files[f"{stem}-posts.csv"]


def test_reports_page_hides_downloads_from_agents(app: AppTest, session: Session) -> None:
    minutes = int((utcnow() - T0).total_seconds() // 60) - 60
    add_scored_post(session, "1", "my parcel", 70, minutes=minutes)
    session.commit()
    sign_in(app, session, "al", "agent")
    open_page(app, "reports")
    assert "Exports need the analyst, supervisor or admin role." in texts(app)
    assert not [b for b in app.button if b.key == "reports_prepare"]


def test_alerts_page_lists_the_record(app: AppTest, session: Session) -> None:
    session.add(
        Alert(rule="urgency", route="ops", dedupe_key="k", title="Urgent post (91) in case 7",
              body="b", status="failed", attempts=2, error="HTTP 500",
              created_at=utcnow() - timedelta(minutes=5))
    )  # fmt: skip
    session.commit()
    sign_in(app, session, "ana", "analyst")
    open_page(app, "alerts")
    signed, buttons = chrome(app)
    assert "Signed in as **ana** (analyst)" in signed and "Sign out" in buttons
    frame = app.dataframe[0].value
    assert list(frame["Alert"]) == ["Urgent post (91) in case 7"]
    assert list(frame["Error"]) == ["HTTP 500"]
    assert {m.label: m.value for m in app.metric}["failed (24 h)"] == "1"
    app.sidebar.button(key="logout").click().run()
    assert app.title[0].value == "Escalation monitor"  # the sign-in form
