"""The optional approval_waiting rule: a request waiting too long for approval alerts the
routes that take it, once, through the real rule evaluation and HTTP delivery; off unless
`approval_waiting_minutes` is set."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from casework import ask_refund, make_user
from factories import T0
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.deliver import deliver_pending
from monitor.alerts.evaluate import evaluate_rules
from monitor.config import AlertSettings, RouteSettings, RuleSettings, Settings
from monitor.db.models import Alert, Resolution


def waiting_alerts(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    query = select(Alert.route, Alert.status).where(Alert.rule == "approval_waiting")
    return [(route, status) for route, status in session.execute(query.order_by(Alert.id))]


def _alert_settings(receiver: Any, **rules: Any) -> Settings:
    route = RouteSettings(name="leads", url=receiver.url(), rules=("approval_waiting",))
    everything = RouteSettings(name="all", url=receiver.url("all"))
    return Settings(
        alerts=AlertSettings(routes=(route, everything), rules=RuleSettings(**rules)),
    )


def test_a_request_waiting_too_long_alerts_its_route_once(
    sessions: sessionmaker[Session], session: Session, receiver: Any
) -> None:
    rid = ask_refund(session, make_user(session, "ann", "agent"), "650.00")
    settings = _alert_settings(receiver, approval_waiting_minutes=30)
    evaluate_rules(sessions, settings, T0 + timedelta(minutes=29))
    assert waiting_alerts(session) == []
    evaluate_rules(sessions, settings, T0 + timedelta(minutes=31))
    assert waiting_alerts(session) == [("leads", "pending"), ("all", "pending")]
    evaluate_rules(sessions, settings, T0 + timedelta(minutes=95))
    assert len(waiting_alerts(session)) == 2  # once per route, however long it waits
    deliver_pending(sessions, settings, T0 + timedelta(minutes=31))
    assert waiting_alerts(session) == [("leads", "sent"), ("all", "sent")]
    case_id = session.get_one(Resolution, rid).case_id
    title = f"A refund of 650.00 USD on case {case_id} waits for approval (31 min)"
    [message] = [m for m, path in zip(receiver.messages, receiver.paths, strict=True)
                 if path == "/hook"]  # fmt: skip
    assert message["title"] == title and "Approvals page" in str(message["message"])


def test_the_waiting_rule_is_off_by_default(
    sessions: sessionmaker[Session], session: Session, receiver: Any
) -> None:
    ask_refund(session, make_user(session, "ann", "agent"), "650.00")
    evaluate_rules(sessions, _alert_settings(receiver), T0 + timedelta(minutes=40))
    assert waiting_alerts(session) == []
    session.expire_all()
    assert session.scalars(select(Alert.rule)).all()  # the route for every rule got others
