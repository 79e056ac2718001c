"""Builds the APScheduler that `monitor run` starts. Wiring only: every job is a function in
`monitor` that claims its own work and is safe to run twice, in one process or in several."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from monitor.alerts.deliver import deliver_pending
from monitor.alerts.evaluate import evaluate_rules
from monitor.cases.execution import run_order_calls
from monitor.cases.order_system import order_system_for
from monitor.cases.replies import OutboxOnlySender, ReplySender, send_queued_replies
from monitor.cases.threads import SlaPolicy
from monitor.context import AppContext
from monitor.impostors.job import run_impostor_checks
from monitor.polling import poll_source
from monitor.reports.scheduled import run_scheduled_reports
from monitor.scoring.pipeline import score_pending
from monitor.sources.base import Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    seconds: float
    run: Callable[[], object]


def _guarded(job: Job) -> Callable[[], None]:
    """Log a failing job and keep the scheduler alive; the next tick tries again."""

    def run() -> None:
        try:
            job.run()
        except Exception:
            log.exception("job %s failed; it runs again in %.0f s", job.name, job.seconds)

    return run


def core_jobs(app: AppContext, sources: Sequence[tuple[Source, float]]) -> list[Job]:
    settings = app.settings
    sla = SlaPolicy(settings.scoring.sla_hours_public, settings.scoring.sla_hours_private)
    jobs = [
        Job(
            f"poll:{source.name}",
            interval,
            lambda source=source: poll_source(  # type: ignore[misc]
                app.engine,
                app.sessions,
                source,
                sla=sla,
                unhealthy_after=settings.scheduler.unhealthy_after_failures,
            ),
        )
        for source, interval in sources
    ]
    senders = _reply_senders(app, sources)
    jobs += [
        Job("replies", settings.scheduler.alerts_seconds, lambda: _send_replies(app, senders)),
        Job("resolutions", settings.scheduler.alerts_seconds, lambda: _execute_resolutions(app)),
        Job(
            "alerts:evaluate",
            settings.scheduler.alerts_seconds,
            lambda: evaluate_rules(app.sessions, settings),
        ),
        Job(
            "alerts:deliver",
            settings.scheduler.alerts_seconds,
            lambda: deliver_pending(app.sessions, settings),
        ),
        Job(
            "impostors",
            settings.scheduler.impostors_seconds,
            lambda: _impostors(app, sources, sla),
        ),
        Job(
            "reports",
            settings.scheduler.reports_seconds,
            lambda: run_scheduled_reports(app.sessions, settings),
        ),
    ]
    jobs.append(
        Job(
            "score",
            settings.scheduler.score_seconds,
            lambda: _score(app),
        )
    )
    return jobs


def _score(app: AppContext) -> None:
    count = score_pending(app.sessions, app.model, app.settings)
    if count:
        log.info("scored %d new posts with %s", count, app.model.version)


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
            next_run_time=now,  # start at once, not one interval after start-up
            max_instances=1,  # a slow poll is never overlapped by the next tick
            coalesce=True,  # after a pause, run once, not once per missed tick
            misfire_grace_time=max(int(job.seconds), 1),
        )
    return scheduler
