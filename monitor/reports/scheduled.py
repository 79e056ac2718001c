"""The `run_scheduled_reports` job: yesterday's and last week's report, once per period.

Each period is claimed by inserting its `report_runs` row (unique on kind and period start),
so two schedulers, or one that runs every few minutes, write each report exactly once. A
period whose report failed is claimed again on a later run.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.send import send
from monitor.auth.permissions import SYSTEM
from monitor.config import WEEKDAYS, ReportSettings, Settings
from monitor.db.engine import rows_changed, transaction
from monitor.db.models import ReportRun
from monitor.db.types import utcnow
from monitor.db.upsert import insert_ignoring_duplicates
from monitor.reports.export import export_report
from monitor.vocab import ReportKind, ReportRunStatus

log = logging.getLogger(__name__)
RUNS = ReportRun.metadata.tables["report_runs"]


def due_periods(
    config: ReportSettings, now: datetime
) -> list[tuple[ReportKind, datetime, datetime]]:
    """(kind, start, end) of the reports due at `now`, in the configured time zone."""
    zone = ZoneInfo(config.timezone)
    today = now.astimezone(zone).date()

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time.min, zone)

    periods = []
    if config.daily:
        periods.append((ReportKind.DAILY, start_of(today - timedelta(days=1)), start_of(today)))
    if config.weekly and today.weekday() >= WEEKDAYS.index(config.weekly_day):
        monday = today - timedelta(days=today.weekday())
        periods.append((ReportKind.WEEKLY, start_of(monday - timedelta(days=7)), start_of(monday)))
    return periods


def _claim(sessions: sessionmaker[Session], kind: str, start: datetime, end: datetime) -> bool:
    with transaction(sessions) as session:
        row = {"kind": kind, "period_start": start, "period_end": end, "path": "",
               "status": ReportRunStatus.RUNNING, "created_at": utcnow()}  # fmt: skip
        if insert_ignoring_duplicates(session, RUNS, [row], ["kind", "period_start"]):
            return True
        retried = session.execute(
            update(ReportRun)
            .where(
                ReportRun.kind == kind,
                ReportRun.period_start == start,
                ReportRun.status == ReportRunStatus.FAILED,
            )
            .values(status=ReportRunStatus.RUNNING, error=None)
        )
        return bool(rows_changed(retried))


def _finish(
    sessions: sessionmaker[Session], kind: str, start: datetime, path: str, error: str | None
) -> None:
    with transaction(sessions) as session:
        session.execute(
            update(ReportRun)
            .where(ReportRun.kind == kind, ReportRun.period_start == start)
            .values(
                status=ReportRunStatus.FAILED if error else ReportRunStatus.DONE,
                path=path,
                error=error,
            )
        )


def run_scheduled_reports(
    sessions: sessionmaker[Session], settings: Settings, now: datetime | None = None
) -> list[Path]:
    """Write the daily and weekly reports that are due; returns the files written this run."""
    config = settings.reports
    now = now or utcnow()
    written: list[Path] = []
    for kind, start, end in due_periods(config, now):
        if not _claim(sessions, kind, start, end):
            continue
        folder = Path(config.folder).expanduser()
        path = folder / f"escalations-{kind}-{start:%Y-%m-%d}.{config.format}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            result = export_report(
                sessions, settings, SYSTEM, config.format, path, start, end,
                excel_row_limit=config.excel_row_limit, now=now,
            )  # fmt: skip
        except Exception as exc:
            _finish(sessions, kind, start, str(path), f"{type(exc).__name__}: {exc}")
            log.exception("%s report for %s failed", kind, start.date())
            continue
        _finish(sessions, kind, start, str(path), None)
        written.extend(result.paths)
        _announce(settings, kind, start, end, result.paths, result.cases, result.posts)
    return written


def _announce(
    settings: Settings, kind: str, start: datetime, end: datetime, paths: list[Path],
    cases: int, posts: int,
) -> None:  # fmt: skip
    name = settings.reports.route
    route = settings.alerts.route(name) if name else None
    if route is None:
        return
    title = f"Escalation report ({kind}) {start:%Y-%m-%d} to {end - timedelta(days=1):%Y-%m-%d}"
    body = f"{cases:,} cases, {posts:,} posts. Files: " + ", ".join(str(p) for p in paths)
    result = send(route, title, body, settings.alerts.delivery.timeout_seconds)
    if not result.ok:
        log.warning("report summary via %s failed: %s", route.name, result.error)
