"""Reading the alert record, and test messages: shared by the CLI and the dashboard."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.send import Notifier, SendResult, send
from monitor.auth.permissions import Actor, require
from monitor.config import Settings
from monitor.db.engine import transaction
from monitor.db.models import Alert
from monitor.db.types import utcnow
from monitor.errors import UserFacingError
from monitor.vocab import AlertStatus, Permission

STATUSES = tuple(AlertStatus)


class UnknownRoute(UserFacingError):
    """The named alert route is not in the configuration."""


@dataclass(frozen=True)
class AlertRow:
    id: int
    created_at: datetime
    rule: str
    route: str
    status: str
    attempts: int
    title: str
    error: str | None
    case_id: int | None
    sent_at: datetime | None


def recent_alerts(
    session: Session,
    *,
    limit: int = 100,
    statuses: Sequence[str] = (),
    rules: Sequence[str] = (),
    routes: Sequence[str] = (),
) -> list[AlertRow]:
    """Newest first, optionally filtered; what `monitor alerts list` and the Alerts page show."""
    query = select(Alert).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
    if statuses:
        query = query.where(Alert.status.in_(statuses))
    if rules:
        query = query.where(Alert.rule.in_(rules))
    if routes:
        query = query.where(Alert.route.in_(routes))
    return [
        AlertRow(
            a.id,
            a.created_at,
            a.rule,
            a.route,
            a.status,
            a.attempts,
            a.title,
            a.error,
            a.case_id,
            a.sent_at,
        )
        for a in session.scalars(query)
    ]


def alert_counts(session: Session, since: datetime) -> dict[str, int]:
    """Alerts per status created since `since` (every status present, zero if none)."""
    query = (
        select(Alert.status, func.count(Alert.id))
        .where(Alert.created_at >= since)
        .group_by(Alert.status)
    )
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    counts.update({status: int(count) for status, count in session.execute(query)})
    return counts


def send_test_alert(
    sessions: sessionmaker[Session],
    settings: Settings,
    actor: Actor,
    route_name: str,
    now: datetime | None = None,
    notifier: Notifier | None = None,
) -> SendResult:
    """Send a test message through one route now and record it like any other alert."""
    require(actor, Permission.ALERTS_MANAGE)
    route = settings.alerts.route(route_name)
    if route is None:
        known = ", ".join(r.name for r in settings.alerts.routes) or "none configured"
        raise UnknownRoute(
            f"no alert route named {route_name!r} (routes: {known}); "
            "add it under [[alerts.routes]] in the config file"
        )
    now = now or utcnow()
    title = "Escalation monitor: test alert"
    body = f"Test message sent by {actor.username} at {now:%Y-%m-%d %H:%M:%SZ}. No action needed."
    result = send(route, title, body, settings.alerts.delivery.timeout_seconds, notifier)
    with transaction(sessions) as session:
        session.add(
            Alert(
                rule="test",
                route=route.name,
                dedupe_key=f"test|{route.name}|{uuid.uuid4().hex}",
                title=title,
                body=body,
                status=AlertStatus.SENT if result.ok else AlertStatus.FAILED,
                attempts=1,
                error=result.error,
                created_at=now,
                sent_at=now if result.ok else None,
            )
        )
    return result
