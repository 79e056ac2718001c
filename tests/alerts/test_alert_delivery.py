"""Retries, giving up, racing processes, source health and secrets in logs."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from factories import T0, add_scored_post
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor import outbound
from monitor.alerts.deliver import ALERTS, deliver_pending
from monitor.alerts.evaluate import evaluate_rules
from monitor.alerts.urls import mask_url
from monitor.commands.alerts import alerts
from monitor.db.models import Alert, AlertAttempt, SourceState


def _one_alert(session: Session) -> Alert:
    session.expire_all()
    return session.scalars(select(Alert)).one()


def test_retry_after_receiver_error_with_backoff(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    add_scored_post(session, "1", "refund me now", 90)
    session.commit()
    settings = settings_for({"rules": ["urgency"]})
    receiver.statuses = [500]  # first request fails, then 200
    now = T0 + timedelta(minutes=1)
    evaluate_rules(sessions, settings, now)

    first = deliver_pending(sessions, settings, now)
    alert = _one_alert(session)
    assert (first.sent, first.failed, alert.status, alert.attempts) == (0, 1, "failed", 1)
    assert alert.error and "500" in alert.error
    # Within the backoff (60 s) nothing is retried.
    assert deliver_pending(sessions, settings, now + timedelta(seconds=30)).failed == 0
    second = deliver_pending(sessions, settings, now + timedelta(seconds=61))

    alert = _one_alert(session)
    assert (second.sent, alert.status, alert.attempts, alert.error) == (1, "sent", 2, None)
    assert len(receiver.messages) == 1
    attempts = session.scalars(select(AlertAttempt).order_by(AlertAttempt.attempt)).all()
    assert [(a.attempt, a.ok) for a in attempts] == [(1, False), (2, True)]


def test_gives_up_after_max_attempts(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    add_scored_post(session, "1", "refund me now", 90)
    session.commit()
    settings = settings_for(
        {"rules": ["urgency"]}, delivery={"max_attempts": 2, "backoff_seconds": 0}
    )
    receiver.statuses = [500] * 5
    evaluate_rules(sessions, settings, T0)
    results = [deliver_pending(sessions, settings, T0 + timedelta(minutes=m)) for m in range(4)]

    assert [r.failed for r in results] == [1, 1, 0, 0]
    assert [r.gave_up for r in results] == [0, 1, 0, 0]
    alert = _one_alert(session)
    assert alert.status == "failed" and alert.attempts == 2
    assert alert.error and alert.error.startswith("gave up after 2 attempts")


def test_alert_claimed_by_a_crashed_sender_is_sent_later(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    """Unlike a reply or a payment, an abandoned alert is resent: a duplicate notification
    costs less than an urgent case nobody hears about. Not before the claim is stale."""
    add_scored_post(session, "1", "refund me now", 90)
    session.commit()
    settings = settings_for({"rules": ["urgency"]})
    evaluate_rules(sessions, settings, T0)
    alert = _one_alert(session)
    policy = outbound.RetryPolicy.of(settings.alerts.delivery)
    assert outbound.claim(sessions, ALERTS, policy, alert.id, T0)  # ...and the sender died

    assert deliver_pending(sessions, settings, T0 + timedelta(minutes=5)).sent == 0
    later = deliver_pending(sessions, settings, T0 + timedelta(minutes=11))
    alert = _one_alert(session)
    assert (later.sent, alert.status, alert.attempts) == (1, "sent", 2)
    assert len(receiver.messages) == 1


def test_two_processes_racing_create_and_send_each_alert_once(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    for n in range(5):
        add_scored_post(session, str(n), f"refund now {n}", 90, author=f"a{n}")
    session.commit()
    settings = settings_for({"rules": ["urgency"]})
    created: list[int] = []
    barrier = threading.Barrier(3)

    def evaluate() -> None:
        barrier.wait()
        created.append(evaluate_rules(sessions, settings, T0 + timedelta(minutes=1)))

    threads = [threading.Thread(target=evaluate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    senders = [
        threading.Thread(
            target=deliver_pending, args=(sessions, settings, T0 + timedelta(minutes=1))
        )
        for _ in range(3)
    ]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()

    assert sum(created) == 5
    assert sorted(receiver.titles) == sorted(f"Urgent post (90) in case {n}" for n in range(1, 6))
    assert {a.status for a in session.scalars(select(Alert))} == {"sent"}


def test_unhealthy_source_and_expiring_token(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    session.add_all(
        [
            SourceState(
                name="x-main",
                platform="x",
                healthy=False,
                last_error="401 Unauthorized: token revoked",
                last_error_at=T0,
                last_success_at=T0 - timedelta(hours=2),
            ),
            SourceState(
                name="fb-page",
                platform="facebook",
                healthy=True,
                token_expires_at=T0 + timedelta(hours=20),
            ),
            SourceState(
                name="fb-other",
                platform="facebook",
                healthy=True,
                token_expires_at=T0 + timedelta(days=30),
            ),
        ]
    )
    session.commit()
    settings = settings_for({"rules": ["source_unhealthy", "token_expiring"]})

    assert evaluate_rules(sessions, settings, T0) == 2
    assert evaluate_rules(sessions, settings, T0 + timedelta(minutes=10)) == 0
    deliver_pending(sessions, settings, T0)

    assert sorted(receiver.titles) == [
        "Access token of source fb-page expires 2026-11-21T05:00Z",
        "Source x-main (x) is failing",
    ]
    body = next(m["message"] for m in receiver.messages if "x-main" in m["title"])
    assert "401 Unauthorized" in body


SECRET = "T0kenS3cretValue42"
PASSWORD = "pa55w0rdSecret"


def test_no_secret_url_in_logs_errors_or_cli_output(
    sessions: sessionmaker[Session],
    session: Session,
    receiver: Any,
    settings_for: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"json://bot:{PASSWORD}@127.0.0.1:{receiver.port}/hooks/{SECRET}"
    monkeypatch.setenv("ALERT_TEST_URL", url)
    add_scored_post(session, "1", "refund me now", 90)
    session.commit()
    settings = settings_for({"rules": ["urgency"], "url_env": "ALERT_TEST_URL"})
    receiver.statuses = [500]
    caplog.set_level(logging.DEBUG)

    evaluate_rules(sessions, settings, T0)
    deliver_pending(sessions, settings, T0)
    deliver_pending(sessions, settings, T0 + timedelta(minutes=5))

    assert receiver.paths == [f"/hooks/{SECRET}"]  # the real URL was used...
    alert = _one_alert(session)
    assert alert.status == "sent" and alert.attempts == 2
    text = caplog.text + "".join(a.error or "" for a in session.scalars(select(AlertAttempt)))
    assert "attempt 1 failed" in caplog.text  # ...and the failure was logged...
    assert SECRET not in text and PASSWORD not in text  # ...without its secrets
    assert mask_url(url) == f"json://****@127.0.0.1:{receiver.port}/****"


def test_cli_test_and_list(
    db_url: str, receiver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALERT_TEST_URL", f"json://127.0.0.1:{receiver.port}/t/{SECRET}")
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n\n[[alerts.routes]]\nname = "ops"\n'
        'url_env = "ALERT_TEST_URL"\n\n[[alerts.routes]]\nname = "down"\n'
        'url = "json://127.0.0.1:1/closed"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    runner = CliRunner()

    ok = runner.invoke(alerts, ["test", "ops"])
    bad = runner.invoke(alerts, ["test", "down"])
    unknown = runner.invoke(alerts, ["test", "nope"])
    listed = runner.invoke(alerts, ["list"])

    assert ok.exit_code == 0, ok.output
    assert f"json://127.0.0.1:{receiver.port}/****" in ok.output and SECRET not in ok.output
    assert receiver.titles == ["Escalation monitor: test alert"]
    assert bad.exit_code != 0 and "route down (json://127.0.0.1:1/****) failed" in str(
        bad.exception
    )
    assert "no alert route named 'nope' (routes: ops, down)" in str(unknown.exception)
    assert listed.exit_code == 0
    lines = [line for line in listed.output.splitlines() if " test " in line]
    assert len(lines) == 2 and "sent" in lines[1] and "failed" in lines[0]
