"""Builds the APScheduler that `monitor run` starts. Wiring only: every job is a function in
`monitor` that claims its own work and is safe to run twice, in one process or in several."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from monitor.cases.execution import run_order_calls
from monitor.cases.order_system import order_system_for
from monitor.cases.replies import OutboxOnlySender, ReplySender, send_queued_replies
from monitor.cases.sla import SlaPolicy
from monitor.context import AppContext
from monitor.flow import Flow
from monitor.impostors.job import run_impostor_checks
from monitor.polling import poll_source
from monitor.reports.scheduled import run_scheduled_reports
from monitor.sources.base import Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    seconds: float
    run: Callable[[], object]
    # Seconds after start-up of the first run: jobs that all fire at the same instant would
    # each wait a whole tick for the others' output.
    first_after: float = 0.0


def _guarded(job: Job) -> Callable[[], None]:
    """Log a failing job and keep the scheduler alive; the next tick tries again."""

    def run() -> None:
        try:
            job.run()
        except Exception:
            log.exception("job %s failed; it runs again in %.0f s", job.name, job.seconds)

    return run


def core_jobs(app: AppContext, sources: Sequence[tuple[Source, float]]) -> list[Job]:
    """A poll job per source, which scores, evaluates and delivers right after storing posts;
    the score and alert jobs are the safety net and start half a tick later, staggered."""
    settings = app.settings
    intervals = settings.scheduler
    sla = app.sla
    flow = Flow(app)

    def poll(source: Source) -> None:
        outcome = poll_source(
            app.engine,
            app.sessions,
            source,
            sla=sla,
            unhealthy_after=intervals.unhealthy_after_failures,
        )
        flow.after_poll(outcome)

    spread = 1.0 / max(len(sources), 1)
    jobs = [
        Job(
            f"poll:{source.name}",
            interval,
            lambda source=source: poll(source),  # type: ignore[misc]
            first_after=number * spread * min(interval, 5.0),
        )
        for number, (source, interval) in enumerate(sources)
    ]
    senders = _reply_senders(app, sources)
    alerts, outbox = intervals.alerts_seconds, intervals.outbox_interval
    jobs += [
        Job("replies", outbox, lambda: _send_replies(app, senders), outbox / 4),
        Job("resolutions", outbox, lambda: _execute_resolutions(app), outbox * 3 / 8),
        Job("alerts", alerts, flow.alerts, alerts / 2),
        Job(
            "impostors",
            intervals.impostors_seconds,
            lambda: _impostors(app, sources, sla),
            intervals.impostors_seconds / 5,
        ),
        Job(
            "reports",
            intervals.reports_seconds,
            lambda: run_scheduled_reports(app.sessions, settings),
            intervals.reports_seconds / 3,
        ),
        Job("score", intervals.score_seconds, flow.score, intervals.score_seconds / 2),
    ]
    return jobs


def _impostors(app: AppContext, sources: Sequence[tuple[Source, float]], sla: SlaPolicy) -> None:
    settings = app.settings
    by_name = {source.name: source for source, _ in sources}
    run = run_impostor_checks(
        app.engine, app.sessions, settings.brand, settings.impostors, by_name, sla=sla
    )
    if run.examined or run.fetched:
        log.info(run.describe())


def _reply_senders(
    app: AppContext, sources: Sequence[tuple[Source, float]]
) -> dict[str, ReplySender]:
    if app.settings.replies.outbox_only:
        outbox = OutboxOnlySender()
        return {platform: outbox for platform in ("x", "facebook", "instagram", "demo", "replay")}
    return {source.name: source for source, _ in sources}


def _send_replies(app: AppContext, senders: dict[str, ReplySender]) -> None:
    summary = send_queued_replies(app.sessions, senders, app.settings.replies)
    if summary.no_sender:
        log.warning("replies waiting: no configured source for %s", ", ".join(summary.no_sender))
    if summary.unknown:
        log.warning(
            "%d replies were interrupted mid-send: check the platform, then retry them from "
            "the case page",
            summary.unknown,
        )


def _execute_resolutions(app: AppContext) -> None:
    """Approved resolutions waiting for an outside order system (the ledger needs none)."""
    settings = app.settings.clearance.order_system
    if settings.kind == "ledger":
        return
    with app.sessions() as session:
        system = order_system_for(settings, session)
    counts = run_order_calls(app.sessions, system, settings)
    if counts.get("unknown"):
        log.warning(
            "%d order-system calls were interrupted: check the order system, then retry them "
            "from the case page",
            counts["unknown"],
        )


def build_scheduler(jobs: Sequence[Job], scheduler: BaseScheduler | None = None) -> BaseScheduler:
    scheduler = scheduler or BlockingScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=4)}, timezone=UTC
    )
    now = datetime.now(UTC)
    for job in jobs:
        scheduler.add_job(
            _guarded(job),
            "interval",
            seconds=job.seconds,
            id=job.name,
            name=job.name,
            next_run_time=now + timedelta(seconds=job.first_after),
            max_instances=1,  # a slow poll is never overlapped by the next tick
            coalesce=True,  # after a pause, run once, not once per missed tick
            misfire_grace_time=max(int(job.seconds), 1),
        )
    return scheduler
