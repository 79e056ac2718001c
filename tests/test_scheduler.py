from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from monitor.config import DatabaseSettings, Settings
from monitor.context import AppContext
from monitor.db.models import Post
from monitor.scheduler import Job, build_scheduler, core_jobs
from monitor.sources.stream import DemoStreamSource


def test_one_job_per_source_plus_scoring_staggered(db_url: str) -> None:
    app = AppContext(Settings(database=DatabaseSettings(url=db_url)))
    sources = [
        (DemoStreamSource("demo-a", posts_per_poll=2), 30.0),
        (DemoStreamSource("demo-b", posts_per_poll=2), 45.0),
    ]
    jobs = core_jobs(app, sources)
    assert [(job.name, job.seconds) for job in jobs] == [
        ("poll:demo-a", 30.0),
        ("poll:demo-b", 45.0),
        ("replies", 30.0),
        ("resolutions", 30.0),
        ("alerts", 30.0),
        ("impostors", 60.0),
        ("reports", 300.0),
        ("score", 10.0),
    ]
    jobs[0].run()  # the poll step itself, called directly
    with app.sessions() as session:
        assert session.scalar(select(func.count(Post.id))) == 2

    scheduler = build_scheduler(jobs, BackgroundScheduler())
    registered = {job.id: job for job in scheduler.get_jobs()}
    assert set(registered) == {
        "poll:demo-a",
        "poll:demo-b",
        "replies",
        "resolutions",
        "alerts",
        "impostors",
        "reports",
        "score",
    }
    assert all(job.max_instances == 1 and job.coalesce for job in registered.values())
    # Staggered: the polls first, the safety-net jobs half a tick later, never all at once.
    starts = {name: job.next_run_time for name, job in registered.items()}
    assert starts["poll:demo-a"] < starts["poll:demo-b"] < starts["score"]
    assert len(set(starts.values())) == len(starts)
    app.engine.dispose()


def test_a_failing_job_does_not_stop_the_scheduler(caplog) -> None:  # type: ignore[no-untyped-def]
    def boom() -> None:
        raise RuntimeError("network down")

    scheduler = build_scheduler([Job("flaky", 5, boom)], BackgroundScheduler())
    [job] = scheduler.get_jobs()
    job.func()  # the guarded wrapper: logs instead of raising
    assert "job flaky failed" in caplog.text and "network down" in caplog.text


def test_the_outbox_has_its_own_interval_and_follows_alerts_when_unset(db_url: str) -> None:
    """Replies and order-system calls used to run on alerts_seconds; outbox_seconds separates
    them, and a config without it keeps the old pacing."""
    from monitor.config import SchedulerSettings

    def intervals(**scheduler: float) -> dict[str, float]:
        settings = Settings(
            database=DatabaseSettings(url=db_url), scheduler=SchedulerSettings(**scheduler)
        )
        return {job.name: job.seconds for job in core_jobs(AppContext(settings), [])}

    old = intervals(alerts_seconds=120)
    assert (old["alerts"], old["replies"], old["resolutions"]) == (120, 120, 120)
    split = intervals(alerts_seconds=120, outbox_seconds=5)
    assert (split["alerts"], split["replies"], split["resolutions"]) == (120, 5, 5)


def test_every_scheduled_job_is_guarded(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Every job `monitor run` schedules, made to raise, is logged with its traceback and the
    next one still runs: one broken job never takes the scheduler down."""
    app = AppContext(Settings(database=DatabaseSettings(url=db_url)))
    sources = [(DemoStreamSource("demo-a", posts_per_poll=2), 30.0)]
    ran: list[str] = []

    def failing(job: Job) -> Job:
        def run() -> None:
            ran.append(job.name)
            raise RuntimeError(f"{job.name} is down")

        return replace(job, run=run)

    jobs = [failing(job) for job in core_jobs(app, sources)]
    registered = build_scheduler(jobs, BackgroundScheduler()).get_jobs()
    assert {job.id for job in registered} == {job.name for job in jobs} and len(jobs) == 7

    with caplog.at_level(logging.ERROR, logger="monitor.scheduler"):
        for job in registered:
            job.func()  # an unguarded job would raise here and end the loop

    assert ran == [job.id for job in registered]
    for job in registered:
        [record] = [r for r in caplog.records if f"job {job.id} failed" in r.getMessage()]
        assert record.exc_info is not None and f"{job.id} is down" in str(record.exc_info[1])
    app.engine.dispose()
