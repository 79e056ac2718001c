"""The `deliver_pending` job: claim due alerts one by one, send them, record the outcome.

A claim is `UPDATE alerts SET status='sending', attempts=attempts+1 WHERE id=? AND status=?
AND attempts=?`: exactly one process sees rowcount 1, on SQLite and PostgreSQL alike, so two
delivery jobs never send the same alert twice. Sending happens outside any transaction.
A failed alert is retried with exponential backoff until `max_attempts`; a claim left by a
crashed sender expires after `stale_claim_minutes`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.config import DeliverySettings
from monitor.alerts.send import Notifier, send
from monitor.db.engine import transaction
from monitor.db.models import Alert, AlertAttempt
from monitor.db.types import utcnow
from monitor.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0  # attempts that failed this run (retried later unless gave_up)
    gave_up: int = 0  # alerts that reached max_attempts this run
    skipped: int = 0  # claimed by another process first

    def describe(self) -> str:
        return (
            f"{self.sent} sent, {self.failed} failed ({self.gave_up} gave up), "
            f"{self.skipped} taken by another process"
        )


def backoff(attempts: int, config: DeliverySettings) -> timedelta:
    """Wait after the `attempts`-th failure: base, 2x base, 4x base ... up to the maximum."""
    seconds = config.backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config.backoff_max_seconds))


def _due(session: Session, config: DeliverySettings, now: datetime) -> list[tuple[int, str, int]]:
    last = (
        select(AlertAttempt.alert_id, func.max(AlertAttempt.started_at).label("at"))
        .group_by(AlertAttempt.alert_id)
        .subquery()
    )
    stale = now - timedelta(minutes=config.stale_claim_minutes)
    query = (
        select(Alert.id, Alert.status, Alert.attempts, last.c.at)
        .outerjoin(last, last.c.alert_id == Alert.id)
        .where(
            or_(
                Alert.status == "pending",
                and_(Alert.status == "failed", Alert.attempts < config.max_attempts),
                and_(Alert.status == "sending", last.c.at < stale),
            ),
            Alert.created_at <= now,
            Alert.rule != "test",  # test messages are sent once, by hand
        )
        .order_by(Alert.created_at, Alert.id)
        .limit(config.batch * 4)
    )
    due = []
    for alert_id, status, attempts, at in session.execute(query):
        if status == "failed" and at is not None and now < _aware(at) + backoff(attempts, config):
            continue
        due.append((alert_id, status, attempts))
    return due[: config.batch]


def _aware(moment: datetime) -> datetime:
    # Aggregates such as max() bypass the column type, so SQLite hands back a naive value.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _claim(
    sessions: sessionmaker[Session], alert_id: int, status: str, attempts: int, now: datetime
) -> Alert | None:
    with transaction(sessions) as session:
        claimed = session.execute(
            update(Alert)
            .where(Alert.id == alert_id, Alert.status == status, Alert.attempts == attempts)
            .values(status="sending", attempts=attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        session.add(AlertAttempt(alert_id=alert_id, attempt=attempts + 1, started_at=now))
        return session.get_one(Alert, alert_id)


def _record(
    sessions: sessionmaker[Session], alert: Alert, error: str | None, now: datetime, final: int
) -> None:
    """`final` is 0, or the attempt count that marks the alert as given up."""
    with transaction(sessions) as session:
        values: dict[str, object] = {"status": "sent", "error": None, "sent_at": now}
        if error is not None:
            values = {"status": "failed", "error": error}
            if final:
                values["attempts"] = max(final, alert.attempts)
        session.execute(
            update(Alert)
            .where(Alert.id == alert.id, Alert.status == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(AlertAttempt)
            .where(AlertAttempt.alert_id == alert.id, AlertAttempt.attempt == alert.attempts)
            .values(finished_at=utcnow(), ok=error is None, error=error)
        )
    if error is not None:
        log.warning(
            "alert %d (%s via %s) attempt %d failed%s: %s",
            alert.id,
            alert.rule,
            alert.route,
            alert.attempts,
            "; giving up" if final else "",
            error,
        )


def deliver_pending(
    sessions: sessionmaker[Session],
    settings: Settings,
    now: datetime | None = None,
    *,
    notifier: Notifier | None = None,
) -> DeliveryStats:
    """Send the alerts that are due at `now`; safe to run in several processes at once."""
    config = settings.alerts.delivery
    now = now or utcnow()
    stats = DeliveryStats()
    with sessions() as session:
        due = _due(session, config, now)
    for alert_id, status, attempts in due:
        alert = _claim(sessions, alert_id, status, attempts, now)
        if alert is None:
            stats.skipped += 1
            continue
        final = alert.attempts >= config.max_attempts
        route = settings.alerts.route(alert.route)
        if route is None:
            error: str | None = f"route {alert.route!r} is no longer configured in [alerts]"
            final = True
        else:
            result = send(route, alert.title, alert.body, config.timeout_seconds, notifier)
            error, final = result.error, final or result.permanent
        if error is not None and final:
            error = f"gave up after {alert.attempts} attempts: {error}"
        _record(sessions, alert, error, now, config.max_attempts if final else 0)
        if error is None:
            stats.sent += 1
        else:
            stats.failed += 1
            stats.gave_up += int(final)
    return stats
