"""A poll that stores an urgent post scores it, raises the alert and delivers it at once, in
the poll job itself: no score or alert tick has to pass (real model, real HTTP receiver)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from monitor.config import (
    AlertSettings,
    DatabaseSettings,
    ModelSettings,
    RouteSettings,
    RuleSettings,
    Settings,
)
from monitor.context import AppContext
from monitor.db.models import Alert, Score
from monitor.scheduler import core_jobs
from monitor.sources.stream import DemoStreamSource


def test_the_poll_job_alone_takes_a_post_to_a_delivered_alert(
    db_url: str, model_cache: Path, receiver: Any
) -> None:
    route = RouteSettings(name="ops", url=receiver.url(), rules=("urgency",))
    settings = Settings(
        database=DatabaseSettings(url=db_url),
        model=ModelSettings(cache_dir=str(model_cache)),
        alerts=AlertSettings(routes=(route,), rules=RuleSettings(urgency_threshold=0)),
    )
    app = AppContext(settings)
    jobs = core_jobs(app, [(DemoStreamSource("demo", posts_per_poll=3), 60.0)])
    poll = next(job for job in jobs if job.name == "poll:demo")
    try:
        poll.run()
        with app.sessions() as session:
            scores = session.scalars(select(Score)).all()
            alerts = session.scalars(select(Alert)).all()
    finally:
        app.engine.dispose()
    assert len(scores) == 3
    assert alerts and all(alert.status == "sent" for alert in alerts)
    assert len(receiver.messages) == len(alerts)
