"""The Queue offers no table download to roles without export permission, and the one it
offers is safe to open in Excel."""

from __future__ import annotations

import csv
import io

import pytest
import streamlit as st
from casework import make_case, make_user, sign_in
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from monitor.auth.permissions import PermissionDenied
from monitor.cases.queue import QueueFilters, queue
from monitor.reports.queue_export import queue_csv

FORMULA = '=HYPERLINK("https://evil.example","refund")'


def downloads(app: AppTest) -> list[str]:
    return [str(button.proto.label) for button in app.get("download_button")]


def test_agent_gets_no_download_and_the_table_toolbar_export_is_off(
    app: AppTest, session: Session
) -> None:
    make_case(session, FORMULA, 90)
    session.commit()
    sign_in(app, session, "ann", "agent")
    app.run()
    assert not app.exception and app.dataframe  # the table is there...
    assert downloads(app) == []  # ...with nothing to download it
    assert st.get_option("client.disableDataExport") is True  # no toolbar CSV, no copy


@pytest.mark.parametrize("role", ["analyst", "supervisor", "admin"])
def test_export_roles_get_an_excel_safe_download(app: AppTest, session: Session, role: str) -> None:
    make_case(session, FORMULA, 90, author="x")
    session.commit()
    sign_in(app, session, "pat", role)
    app.run()
    assert downloads(app) == ["Download these cases (CSV, safe for Excel)"]


def test_queue_csv_neutralises_formulas_and_checks_permission(session: Session) -> None:
    make_case(session, FORMULA, 90, author="x")
    make_case(session, "+1 555 0100 call me", 80, author="y")
    session.commit()
    rows = queue(session, QueueFilters(), limit=10)
    with pytest.raises(PermissionDenied):
        queue_csv(make_user(session, "ann", "agent"), rows)
    data = queue_csv(make_user(session, "al", "analyst"), rows)
    assert data.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["text"] for r in table] == ["'" + FORMULA, "'+1 555 0100 call me"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in table for cell in r.values())
