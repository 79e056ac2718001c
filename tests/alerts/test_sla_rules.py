"""The SLA rules (`sla_soon`, `sla_breached`) through the real rule evaluation and a real
database: which cases alert around their deadline, and that each fires once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from factories import T0, add_scored_post
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.deliver import deliver_pending
from monitor.alerts.evaluate import evaluate_rules
from monitor.db.models import Alert, Case
from monitor.vocab import AlertStatus, CaseStatus

NOW = T0 + timedelta(hours=3)
MINUTE = timedelta(minutes=1)
WARNING = timedelta(minutes=15)  # alerts.rules.sla_warning_minutes (default)
MAX_AGE = timedelta(hours=24)  # alerts.rules.sla_breach_max_age_hours (default)


def _case(session: Session, name: str, due: datetime | None, status: CaseStatus) -> int:
    """A case from a real stored post; its deadline and status set to the edge under test."""
    post = add_scored_post(session, name, f"still waiting for my order ({name})", 40, author=name)
    case = session.get_one(Case, post.case_id)
    case.sla_due_at, case.status = due, status
    return case.id


def _fired(session: Session) -> dict[int | None, list[str]]:
    session.expire_all()
    fired: dict[int | None, list[str]] = {}
    for alert in session.scalars(select(Alert).order_by(Alert.id)):
        fired.setdefault(alert.case_id, []).append(alert.rule)
    return fired


def test_sla_rules_at_each_edge_fire_once(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    cases = {
        "breached_a_minute_ago": _case(session, "a", NOW - MINUTE, CaseStatus.NEW),
        "due_this_minute": _case(session, "b", NOW, CaseStatus.OPEN),  # zero left: breached
        "due_in_a_minute": _case(session, "c", NOW + MINUTE, CaseStatus.NEW),
        "due_at_the_warning_edge": _case(session, "d", NOW + WARNING, CaseStatus.NEW),
        "due_after_the_warning": _case(session, "e", NOW + WARNING + MINUTE, CaseStatus.NEW),
        "breached_a_day_ago": _case(session, "f", NOW - MAX_AGE, CaseStatus.OPEN),  # old news
        "breached_just_under_a_day": _case(session, "g", NOW - MAX_AGE + MINUTE, CaseStatus.OPEN),
        "resolved_past_due": _case(session, "h", NOW - MINUTE, CaseStatus.RESOLVED),
        "closed_past_due": _case(session, "i", NOW - MINUTE, CaseStatus.CLOSED),
        "waiting_on_customer": _case(session, "j", None, CaseStatus.WAITING),  # we replied
    }
    session.commit()
    settings = settings_for({"rules": ["sla_soon", "sla_breached"]})

    assert evaluate_rules(sessions, settings, NOW) == 5
    fired = _fired(session)
    assert fired == {
        cases["breached_a_minute_ago"]: ["sla_breached"],
        cases["due_this_minute"]: ["sla_breached"],
        cases["due_in_a_minute"]: ["sla_soon"],
        cases["due_at_the_warning_edge"]: ["sla_soon"],
        cases["breached_just_under_a_day"]: ["sla_breached"],
    }

    assert evaluate_rules(sessions, settings, NOW) == 0  # the same minute again: nothing new

    # A minute on: the case due then has breached, the next one enters the warning window.
    later = NOW + MINUTE
    assert evaluate_rules(sessions, settings, later) == 2
    assert evaluate_rules(sessions, settings, later) == 0
    assert evaluate_rules(sessions, settings, later + MINUTE) == 0
    fired = _fired(session)
    assert fired[cases["due_in_a_minute"]] == ["sla_soon", "sla_breached"]
    assert fired[cases["due_after_the_warning"]] == ["sla_soon"]
    assert cases["breached_a_day_ago"] not in fired and cases["resolved_past_due"] not in fired
    assert cases["closed_past_due"] not in fired and cases["waiting_on_customer"] not in fired

    stats = deliver_pending(sessions, settings, later)
    assert (stats.sent, stats.failed) == (7, 0)
    assert sorted(receiver.titles) == sorted(
        [
            f"Case {cases['breached_a_minute_ago']} breached its SLA 1 min ago",
            f"Case {cases['due_this_minute']} breached its SLA 0 min ago",
            f"Case {cases['due_in_a_minute']} breaches its SLA in 1 min",
            f"Case {cases['due_at_the_warning_edge']} breaches its SLA in 15 min",
            f"Case {cases['breached_just_under_a_day']} breached its SLA 1439 min ago",
            f"Case {cases['due_in_a_minute']} breached its SLA 0 min ago",
            f"Case {cases['due_after_the_warning']} breaches its SLA in 15 min",
        ]
    )
    session.expire_all()
    assert set(session.scalars(select(Alert.status))) == {AlertStatus.SENT}


def test_a_reply_stops_the_sla_alert(
    sessions: sessionmaker[Session], session: Session, receiver: Any, settings_for: Any
) -> None:
    """A case answered before its deadline (status waiting, no deadline) raises nothing, and
    a disabled rule raises nothing even for a breached case."""
    answered = _case(session, "a", NOW + MINUTE, CaseStatus.NEW)
    breached = _case(session, "b", NOW - MINUTE, CaseStatus.NEW)
    session.commit()
    settings = settings_for({"rules": ["sla_soon"]})  # this route does not take breaches
    assert evaluate_rules(sessions, settings, NOW) == 1
    assert _fired(session) == {answered: ["sla_soon"]}

    case = session.get_one(Case, answered)
    case.status, case.sla_due_at = CaseStatus.WAITING, None
    session.commit()
    assert evaluate_rules(sessions, settings, NOW + 2 * MINUTE) == 0
    assert breached not in _fired(session)
