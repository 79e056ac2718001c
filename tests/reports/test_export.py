"""Exports open in pandas, openpyxl and pyarrow, match the database and are safe in Excel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from factories import T0, add_scored_post
from sqlalchemy.orm import Session, sessionmaker

from monitor.auth.permissions import Actor, PermissionDenied
from monitor.commands.export import export
from monitor.config import Settings
from monitor.db.models import CaseOrderLink, Customer, Order, Post, Resolution, User
from monitor.reports.export import ExportTooLarge, export_report
from monitor.reports.rows import Column
from monitor.reports.writers import SheetTooLarge, write_xlsx

ANALYST = Actor(user_id=None, username="ana", role="analyst")
LONG_ID = "1864783029876543210"  # 19 digits: a float would round it
INJECTIONS = ['=HYPERLINK("http://evil","x")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1", "-1"]


@pytest.fixture
def data(session: Session) -> Session:
    first = add_scored_post(session, LONG_ID, "my $900 TV never arrived", 92, author="42")
    for n, text in enumerate(INJECTIONS):
        add_scored_post(session, f"9{n}", text, 30, author=f"7{n}", minutes=n + 1)
    case = first.case
    assert case is not None
    case.first_response_at = T0 + timedelta(minutes=10)  # within the 15 min critical SLA
    case.resolved_at = T0 + timedelta(hours=2)
    case.status = "resolved"
    agent = User(username="=agent", role="agent")
    boss = User(username="sam", role="senior")
    customer = Customer(name="Pat")
    session.add_all([agent, boss, customer])
    session.flush()
    case.assignee_id = agent.id
    session.add(
        Order(id="112-4455667-1234567", customer_id=customer.id, items=[], value=Decimal("899"),
              status="delivered", ordered_at=T0 - timedelta(days=3))
    )  # fmt: skip
    session.flush()
    session.add(CaseOrderLink(case_id=case.id, order_id="112-4455667-1234567"))
    session.add(
        Resolution(case_id=case.id, action="refund", amount=Decimal("899.00"), status="executed",
                   requested_by=agent.id, decided_by=boss.id, idempotency_key="k1")
    )  # fmt: skip
    session.commit()
    return session


def _export(sessions: sessionmaker[Session], fmt: str, path: Path, **kw: object) -> None:
    export_report(sessions, Settings(), ANALYST, fmt, path, now=T0 + timedelta(days=1), **kw)  # type: ignore[arg-type]


def test_csv_matches_database_and_is_inert(
    sessions: sessionmaker[Session], data: Session, tmp_path: Path
) -> None:
    _export(sessions, "csv", tmp_path / "r.csv")
    cases = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    posts = pd.read_csv(
        tmp_path / "r-posts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert len(cases) == 5 and len(posts) == data.query(Post).count() == 5
    row = cases[cases.case_id == "1"].iloc[0]
    assert (row.channel, row.sla, row.resolution_types, row.executed_amount) == (
        "mention", "met", "refund", "899.0",
    )  # fmt: skip
    assert (row.approver_chain, row.agent, row.linked_orders) == (
        "'=agent -> sam (approved)", "'=agent", "112-4455667-1234567",
    )  # fmt: skip
    assert row.received_at_utc == "2026-11-20T09:00:00Z"
    assert row.first_response_minutes == "10.0" and row.outcome == "resolved: refund executed"
    assert posts.platform_post_id.iloc[0] == LONG_ID
    assert list(posts.text.iloc[1:]) == ["'" + text for text in INJECTIONS]


def test_xlsx_keeps_long_ids_exact_and_formulas_inert(
    sessions: sessionmaker[Session], data: Session, tmp_path: Path
) -> None:
    _export(sessions, "xlsx", tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["cases", "posts"]
    posts = book["posts"]
    header = [cell.value for cell in posts[1]]
    id_cell = posts.cell(row=2, column=header.index("platform_post_id") + 1)
    assert id_cell.value == LONG_ID and id_cell.data_type == "s"
    texts = [posts.cell(row=r, column=header.index("text") + 1) for r in range(3, 7)]
    assert [c.value for c in texts] == ["'" + text for text in INJECTIONS]
    assert {c.data_type for c in texts} == {"s"}  # strings, not formulas
    assert not any(
        cell.data_type == "f" for sheet in book for row in sheet.iter_rows() for cell in row
    )
    frame = pd.read_excel(
        tmp_path / "r.xlsx", sheet_name="cases", dtype={"author_platform_id": str}
    )
    assert frame.loc[0, "received_at_utc"] == pd.Timestamp("2026-11-20 09:00:00")
    assert frame.loc[0, "executed_amount"] == 899.0


def test_parquet_has_types_and_raw_values(
    sessions: sessionmaker[Session], data: Session, tmp_path: Path
) -> None:
    _export(sessions, "parquet", tmp_path / "r.parquet", since=T0, until=T0 + timedelta(hours=1))
    posts = pq.read_table(tmp_path / "r-posts.parquet")
    assert str(posts.schema.field("created_at_utc").type) == "timestamp[us, tz=UTC]"
    assert str(posts.schema.field("platform_post_id").type) == "string"
    frame = posts.to_pandas()
    assert frame.platform_post_id.iloc[0] == LONG_ID
    assert list(frame.text.iloc[1:]) == INJECTIONS  # Parquet keeps the data as stored
    cases = pq.read_table(tmp_path / "r.parquet").to_pandas()
    assert list(cases.case_id) == [1, 2, 3, 4, 5] and cases.peak_urgency.iloc[0] == 92.0


def test_excel_row_limit_refuses_before_writing(
    sessions: sessionmaker[Session], data: Session, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportTooLarge, match=r"5 cases do not fit .* --format csv"):
        _export(sessions, "xlsx", out / "r.xlsx", excel_row_limit=5)
    assert list(out.iterdir()) == []  # no broken or partial file
    _export(sessions, "xlsx", out / "r.xlsx", excel_row_limit=6)
    assert [p.name for p in out.iterdir()] == ["r.xlsx"]


def test_sheet_writer_stops_at_the_limit_even_if_rows_grew(tmp_path: Path) -> None:
    rows = iter([(n,) for n in range(10)])
    with pytest.raises(SheetTooLarge, match="more than 4 rows"):
        write_xlsx(tmp_path / "x.xlsx", [("s", (Column("n", "int"),), rows)], row_limit=4)
    assert not (tmp_path / "x.xlsx").exists()


def test_agent_may_not_export(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    agent = Actor(user_id=1, username="al", role="agent")
    with pytest.raises(PermissionDenied, match="analyst, supervisor, admin"):
        export_report(sessions, Settings(), agent, "csv", tmp_path / "r.csv")
    assert not (tmp_path / "r.csv").exists()


def test_cli_export_with_date_range(
    db_url: str, data: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    out = tmp_path / "nov.csv"
    result = CliRunner().invoke(
        export,
        ["--format", "csv", "-o", str(out), "--since", "2026-11-20", "--until", "2026-11-20"],
    )
    empty = CliRunner().invoke(export, ["-o", str(tmp_path / "e.csv"), "--until", "2026-11-19"])
    assert result.exit_code == 0, result.output
    assert "Exported 5 cases and 5 posts" in result.output
    assert "Exported 0 cases and 0 posts" in empty.output
