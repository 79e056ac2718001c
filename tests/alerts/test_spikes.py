"""One alert per spike incident, against the same hour of the week in previous weeks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from factories import T0, add_scored_post
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.deliver import deliver_pending
from monitor.alerts.evaluate import evaluate_rules
from monitor.alerts.spikes import detect_spikes
from monitor.config import SpikeSettings

WEEK = 7 * 24 * 60
NOW = T0 + timedelta(minutes=60)


def _seed(session: Session) -> None:
    n = 0

    def post(text: str, minutes: int, intent: str) -> None:
        nonlocal n
        n += 1
        add_scored_post(session, str(n), text, 20, author=f"u{n}", minutes=minutes, intent=intent)

    for week in range(1, 5):  # a normal Friday 9-10am: 3 delivery and 4 billing posts
        for i in range(3):
            post("parcel late again", -week * WEEK + 10 + i, "delivery")
        for i in range(4):
            post("charged for prime", -week * WEEK + 20 + i, "billing")
    for i in range(16):  # today: a delivery incident ...
        post(f"my package never arrived #{i}", 5 + i, "delivery")
    for i in range(4):  # ... normal billing ...
        post("charged for prime", 30 + i, "billing")
    for i in range(16):  # ... and an outage the intent model calls "other"
        post(f"website outage again, checkout down {i}", 35 + i, "other")
    for i in range(3):  # and a little noise
        post("hello there friends", 50 + i, "other")
    session.commit()


def test_detects_incidents_against_the_same_hour_of_previous_weeks(session: Session) -> None:
    _seed(session)
    incidents = detect_spikes(session, SpikeSettings(), NOW)

    found = {i.key: (i.count, i.baseline) for i in incidents}
    assert found["intent:delivery"] == (16, 3.0)
    assert "intent:billing" not in found  # 4 against a usual 4
    [outage] = [i for i in incidents if i.key.startswith("term:")]
    assert outage.count == 16 and "'outage'" in outage.label and "'website'" in outage.label
    assert len(incidents) == 2


def test_floor_keeps_a_quiet_baseline_from_making_a_spike(session: Session) -> None:
    _seed(session)
    strict = SpikeSettings(floor=6.0)  # 16 < 3 x 6: delivery no longer counts as a spike
    assert "intent:delivery" not in {i.key for i in detect_spikes(session, strict, NOW)}


def test_one_alert_per_incident_not_per_post(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    _seed(session)
    settings = settings_for({"rules": ["spike"]})

    assert evaluate_rules(sessions, settings, NOW) == 2
    assert evaluate_rules(sessions, settings, NOW + timedelta(minutes=5)) == 0
    assert evaluate_rules(sessions, settings, NOW + timedelta(minutes=65)) == 0  # cooldown
    deliver_pending(sessions, settings, NOW)

    titles = sorted(receiver.titles)
    assert titles[0] == "Spike: delivery complaints, 3.2x normal"
    assert titles[1].startswith("Spike: posts about ") and "x normal" in titles[1]
    delivery = next(m["message"] for m in receiver.messages if "delivery" in m["title"])
    assert "16 posts in the last 60 min; usually 3.0" in delivery
