"""Figures for the Reports page, as small pandas frames (the page draws, it does not query).

Volume and intent counts are aggregated in SQL; per-case figures (SLA, response times) reuse
the export's case rows so the page and the exported file can never disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Result, func, select
from sqlalchemy.orm import Session, aliased

from monitor.cases.sla import SlaPolicy
from monitor.config import Settings
from monitor.db.dialect import is_postgres
from monitor.db.models import Alert, Post, Resolution, Score, User
from monitor.reports.rows import CASE_COLUMNS, case_rows
from monitor.vocab import ResolutionStatus, SlaOutcome


def _hour(session: Session, column: Any) -> ColumnElement[str]:
    if is_postgres(session):
        return func.to_char(func.date_trunc("hour", func.timezone("UTC", column)),
                            "YYYY-MM-DD HH24:00")  # fmt: skip
    return func.strftime("%Y-%m-%d %H:00", column)


def volume_by_hour(session: Session, since: datetime, until: datetime) -> pd.DataFrame:
    """Inbound posts per UTC hour and channel (platform + kind): hour, channel, posts."""
    hour = _hour(session, Post.created_at).label("hour")
    query = (
        select(hour, Post.platform, Post.kind, func.count(Post.id).label("posts"))
        .where(Post.inbound.is_(True), Post.created_at >= since, Post.created_at < until)
        .group_by(hour, Post.platform, Post.kind)
        .order_by(hour)
    )
    rows = [(r.hour, f"{r.platform} {r.kind}", r.posts) for r in session.execute(query)]
    frame = pd.DataFrame(rows, columns=["hour", "channel", "posts"])
    frame["hour"] = pd.to_datetime(frame["hour"], utc=True)
    return frame


def urgency_distribution(session: Session, since: datetime, until: datetime) -> pd.DataFrame:
    """Scored inbound posts per band of 10 urgency points: band, posts."""
    points = func.round(Score.urgency).label("points")
    query = (
        select(points, func.count(Post.id).label("posts"))
        .join(Score, Score.post_id == Post.id)
        .where(Post.inbound.is_(True), Post.created_at >= since, Post.created_at < until)
        .group_by(points)
    )
    bands = [f"{low}-{low + 9}" for low in range(0, 100, 10)]
    counts = dict.fromkeys(bands, 0)
    for row in session.execute(query):
        low = min(int(row.points) // 10 * 10, 90)
        counts[f"{low}-{low + 9}"] += int(row.posts)
    return pd.DataFrame({"band": bands, "posts": [counts[b] for b in bands]})


def top_intents(
    session: Session, since: datetime, until: datetime, limit: int = 10
) -> pd.DataFrame:
    query = (
        select(Score.intent, func.count(Post.id).label("posts"))
        .join(Score, Score.post_id == Post.id)
        .where(Post.inbound.is_(True), Post.created_at >= since, Post.created_at < until)
        .group_by(Score.intent)
        .order_by(func.count(Post.id).desc())
        .limit(limit)
    )
    return _frame(session.execute(query), ["intent", "posts"])


def case_frame(
    session: Session, settings: Settings, since: datetime, until: datetime, now: datetime
) -> pd.DataFrame:
    """One row per case opened in the range, with the export's columns."""
    rows = case_rows(session, since, until, SlaPolicy(settings.sla), now)
    return pd.DataFrame(list(rows), columns=[c.name for c in CASE_COLUMNS])


OUTCOMES = [o.value for o in SlaOutcome]


def sla_compliance(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases per UTC day by SLA outcome: day, met, missed, open."""
    if cases.empty:
        return pd.DataFrame(columns=["day", *OUTCOMES])
    days = pd.to_datetime(cases["received_at_utc"], utc=True).dt.strftime("%Y-%m-%d")
    table = pd.crosstab(days.rename("day"), cases["sla"]).reindex(columns=OUTCOMES, fill_value=0)
    return table.reset_index()


def response_times(cases: pd.DataFrame) -> pd.DataFrame:
    """Median and 90th percentile minutes to first response and to resolution."""
    rows = []
    for column, label in (
        ("first_response_minutes", "first response"),
        ("resolution_minutes", "resolution"),
    ):
        values = pd.to_numeric(cases.get(column, pd.Series(dtype=float)), errors="coerce").dropna()
        rows.append(
            {
                "measure": label,
                "cases": len(values),
                "median_minutes": float(values.median()) if len(values) else None,
                "p90_minutes": float(values.quantile(0.9)) if len(values) else None,
            }
        )
    return pd.DataFrame(rows)


def resolution_amounts(session: Session, since: datetime, until: datetime) -> pd.DataFrame:
    """Resolutions requested in the range by type, status and approver: count and amount.

    Status stays a column so executed, waiting and rejected money are never added together.
    """
    approver = aliased(User)
    query = (
        select(
            Resolution.action,
            Resolution.status,
            approver.username.label("approver"),
            func.count(Resolution.id).label("resolutions"),
            func.coalesce(func.sum(Resolution.amount), 0).label("amount"),
        )
        .outerjoin(approver, approver.id == Resolution.decided_by)
        .where(Resolution.requested_at >= since, Resolution.requested_at < until)
        .group_by(Resolution.action, Resolution.status, approver.username)
        .order_by(Resolution.action, Resolution.status)
    )
    rows = [
        (r.action, r.status, _approver(r.status, r.approver), int(r.resolutions),
         float(r.amount or 0))
        for r in session.execute(query)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["type", "status", "approver", "resolutions", "amount"])


def _approver(status: str, name: str | None) -> str:
    if status == ResolutionStatus.PENDING_APPROVAL:
        return "(awaiting approval)"
    if name is None:
        return "(own clearance)"
    return f"{name} (rejected)" if status == ResolutionStatus.REJECTED else name


def spike_incidents(session: Session, since: datetime, until: datetime) -> pd.DataFrame:
    """Spike alerts raised in the range (one row per incident and route)."""
    query = (
        select(
            Alert.created_at.label("at"), Alert.route, Alert.title.label("incident"), Alert.status
        )
        .where(Alert.rule == "spike", Alert.created_at >= since, Alert.created_at < until)
        .order_by(Alert.created_at.desc())
    )
    return _frame(session.execute(query), ["at", "route", "incident", "status"])


def _frame(result: Result[Any], columns: list[str]) -> pd.DataFrame:
    """Rows read by their labels, so a reordered query cannot shift values between columns."""
    return pd.DataFrame([{name: row._mapping[name] for name in columns} for row in result],
                        columns=columns)  # fmt: skip
