"""Scheduled reports are written once per period; dashboard figures match the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from factories import T0, add_scored_post
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import ReportSettings, Settings
from monitor.db.models import ReportRun
from monitor.reports import metrics
from monitor.reports.scheduled import due_periods, run_scheduled_reports


def test_due_periods_in_local_time() -> None:
    config = ReportSettings(daily=True, weekly=True, weekly_day="tuesday", timezone="Europe/Berlin")
    monday_late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # already Tuesday in Berlin
    [(kind, start, end), (weekly, week_start, week_end)] = due_periods(config, monday_late)
    assert (kind, start.isoformat(), end.isoformat()) == (
        "daily", "2026-11-23T00:00:00+01:00", "2026-11-24T00:00:00+01:00",
    )  # fmt: skip
    assert (weekly, week_start.date().isoformat(), week_end.date().isoformat()) == (
        "weekly", "2026-11-16", "2026-11-23",
    )  # fmt: skip
    assert [k for k, *_ in due_periods(config, monday_late - timedelta(hours=2))] == ["daily"]


def test_daily_report_written_once_per_day(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    add_scored_post(session, "1", "parcel missing", 40)
    session.commit()
    settings = Settings(reports=ReportSettings(folder=str(tmp_path), daily=True, format="csv"))
    next_day = T0 + timedelta(days=1)

    first = run_scheduled_reports(sessions, settings, next_day)
    again = run_scheduled_reports(sessions, settings, next_day + timedelta(hours=3))

    assert [p.name for p in first] == [
        "escalations-daily-2026-11-20.csv", "escalations-daily-2026-11-20-posts.csv",
    ]  # fmt: skip
    assert again == []
    assert len(pd.read_csv(first[1], encoding="utf-8-sig")) == 1
    [run] = session.scalars(select(ReportRun)).all()
    assert (run.kind, run.status, run.path) == ("daily", "done", str(first[0]))


def test_failed_report_is_retried_on_the_next_run(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    bad = Settings(reports=ReportSettings(folder=str(blocker), daily=True, format="csv"))
    good = Settings(reports=ReportSettings(folder=str(tmp_path / "ok"), daily=True, format="csv"))
    assert run_scheduled_reports(sessions, bad, T0) == []
    assert len(run_scheduled_reports(sessions, good, T0)) == 2


def test_dashboard_metrics(sessions: sessionmaker[Session], session: Session) -> None:
    add_scored_post(session, "1", "parcel missing", 42, author="a", intent="delivery")
    add_scored_post(session, "2", "still missing", 95, author="a", intent="delivery", minutes=70)
    add_scored_post(session, "3", "charged twice", 61, author="b", intent="billing", minutes=5)
    session.commit()
    since, until = T0, T0 + timedelta(days=1)

    volume = metrics.volume_by_hour(session, since, until)
    assert list(volume.posts) == [2, 1]
    assert volume.hour.iloc[0] == pd.Timestamp("2026-11-20 09:00", tz="UTC")
    bands = metrics.urgency_distribution(session, since, until).set_index("band").posts
    assert (bands["40-49"], bands["60-69"], bands["90-99"], bands.sum()) == (1, 1, 1, 3)
    assert metrics.top_intents(session, since, until).values.tolist() == [
        ["delivery", 2], ["billing", 1],
    ]  # fmt: skip
    cases = metrics.case_frame(session, Settings(), since, until, T0 + timedelta(hours=3))
    sla: Any = metrics.sla_compliance(cases)
    assert sla.to_dict("records") == [{"day": "2026-11-20", "met": 0, "missed": 2, "open": 0}]
    assert metrics.response_times(cases).cases.tolist() == [0, 0]
