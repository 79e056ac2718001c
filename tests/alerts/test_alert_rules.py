"""Thresholds, cooldown and quiet hours, delivered over real HTTP to a local receiver."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from factories import T0, add_scored_post
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.deliver import deliver_pending
from monitor.alerts.evaluate import evaluate_rules
from monitor.db.models import Alert


def _alerts(session: Session) -> list[Alert]:
    session.expire_all()
    return list(session.scalars(select(Alert).order_by(Alert.id)))


def test_urgent_post_alerts_once_and_arrives(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    add_scored_post(session, "1", "I was charged twice, $900!", 91, author="a")
    add_scored_post(session, "2", "where is my parcel", 35, author="b")
    session.commit()
    settings = settings_for({"rules": ["urgency"]})
    now = T0 + timedelta(minutes=5)

    assert evaluate_rules(sessions, settings, now) == 1
    assert evaluate_rules(sessions, settings, now + timedelta(minutes=1)) == 0  # deduplicated
    stats = deliver_pending(sessions, settings, now)
    assert (stats.sent, stats.failed) == (1, 0)
    assert deliver_pending(sessions, settings, now).sent == 0

    assert receiver.titles == ["Urgent post (91) in case 1"]
    assert "I was charged twice, $900!" in receiver.messages[0]["message"]
    [alert] = _alerts(session)
    assert (alert.status, alert.attempts, alert.rule, alert.route) == ("sent", 1, "urgency", "ops")
    assert alert.sent_at == now


def test_each_route_applies_its_own_threshold(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    add_scored_post(session, "1", "refund me now", 85, author="a")
    session.commit()
    settings = settings_for(
        {"name": "pager", "rules": ["urgency"], "min_urgency": 90, "url": receiver.url("pager")},
        {"name": "slack", "rules": ["urgency"], "url": receiver.url("slack")},
    )
    assert evaluate_rules(sessions, settings, T0 + timedelta(minutes=1)) == 1
    deliver_pending(sessions, settings, T0 + timedelta(minutes=1))
    assert receiver.paths == ["/slack"]


def test_cooldown_per_rule_and_case(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    add_scored_post(session, "1", "my account was hacked", 88, author="a")
    add_scored_post(session, "2", "still hacked, anyone?", 90, author="a", minutes=10)
    add_scored_post(session, "3", "other customer, also furious", 95, author="b", minutes=10)
    session.commit()
    settings = settings_for({"rules": ["urgency"]}, cooldown_minutes={"urgency": 30})

    assert evaluate_rules(sessions, settings, T0 + timedelta(minutes=1)) == 1
    # Case of "a" is cooling down; case of "b" is new.
    assert evaluate_rules(sessions, settings, T0 + timedelta(minutes=11)) == 1
    # After the cooldown, the second post of "a" may alert again.
    assert evaluate_rules(sessions, settings, T0 + timedelta(minutes=35)) == 1
    alerts = _alerts(session)
    assert [a.case_id for a in alerts] == [1, 2, 1]
    assert alerts[2].dedupe_key.endswith("|post:2")


def test_quiet_hours_suppress_but_urgent_rules_may_bypass(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    # 22:25 UTC is 23:25 in Berlin: inside 22:00-07:00 local quiet hours.
    late = 13 * 60 + 25
    add_scored_post(session, "1", "refund now or else", 85, author="a", minutes=late)
    add_scored_post(
        session,
        "2",
        "someone stole my account",
        50,
        author="b",
        minutes=late,
        intent="account_security",
    )
    session.commit()
    quiet = {
        "start": "22:00",
        "end": "07:00",
        "timezone": "Europe/Berlin",
        "bypass_rules": ["security"],
    }
    settings = settings_for({"rules": ["urgency", "security"], "quiet_hours": quiet})
    now = T0 + timedelta(minutes=late + 5)

    assert evaluate_rules(sessions, settings, now) == 2
    deliver_pending(sessions, settings, now)

    assert receiver.titles == ["Possible fraud or account-security issue in case 2"]
    statuses = {a.rule: (a.status, a.error) for a in _alerts(session)}
    assert statuses == {"urgency": ("suppressed", "quiet hours"), "security": ("sent", None)}


def test_outside_quiet_hours_everything_is_sent(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    add_scored_post(session, "1", "refund now or else", 85, author="a")  # 10:00 in Berlin
    session.commit()
    quiet = {"start": "22:00", "end": "07:00", "timezone": "Europe/Berlin"}
    settings = settings_for({"rules": ["urgency"], "quiet_hours": quiet})
    evaluate_rules(sessions, settings, T0 + timedelta(minutes=5))
    assert deliver_pending(sessions, settings, T0 + timedelta(minutes=5)).sent == 1
    assert len(receiver.messages) == 1
