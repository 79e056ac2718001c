"""The `deliver_pending` job: claim due alerts one by one, send them, record the outcome.

Alerts go through the claim, call, record path of `monitor.outbound` shared with replies and
order-system calls: the claim commits before anything is sent, so two delivery jobs never
send the same alert at once, and sending happens outside any transaction. A failed alert is
retried with exponential backoff until `max_attempts`. A claim left by a crashed sender is
retried after `stale_claim_minutes`: unlike a reply or a payment, a duplicate alert costs
less than an urgent case nobody hears about.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor import outbound
from monitor.alerts.send import Notifier, send
from monitor.config import Settings
from monitor.db.models import Alert, AlertAttempt
from monitor.db.types import utcnow
from monitor.vocab import AlertStatus

log = logging.getLogger(__name__)

ALERTS = outbound.Lifecycle(
    Alert,
    ready=(AlertStatus.PENDING, AlertStatus.FAILED),
    retry=AlertStatus.FAILED,
    failed=AlertStatus.FAILED,
    capped=True,
    resend_stale=True,
)


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


def _start_attempt(session: Session, taken: outbound.Claim) -> None:
    session.add(AlertAttempt(alert_id=taken.row_id, attempt=taken.attempt, started_at=utcnow()))


def _finish_attempt(
    session: Session, taken: outbound.Claim, status: str, error: str | None
) -> None:
    session.execute(
        update(AlertAttempt)
        .where(AlertAttempt.alert_id == taken.row_id, AlertAttempt.attempt == taken.attempt)
        .values(finished_at=utcnow(), ok=status == outbound.SENT, error=error)
    )
    if error is not None:
        log.warning("alert %d attempt %d failed: %s", taken.row_id, taken.attempt, error)


def deliver_pending(
    sessions: sessionmaker[Session],
    settings: Settings,
    now: datetime | None = None,
    *,
    notifier: Notifier | None = None,
) -> DeliveryStats:
    """Send the alerts that are due at `now`; safe to run in several processes at once."""
    config = settings.alerts.delivery
    policy = outbound.RetryPolicy.of(config)
    now = now or utcnow()
    stats = DeliveryStats()
    outbound.recover_stale(sessions, ALERTS, policy, now, on_recover=_finish_attempt)
    with sessions() as session:
        due = outbound.due(
            session, ALERTS, policy, now,
            where=[Alert.created_at <= now, Alert.rule != "test"],  # tests are sent by hand
            limit=config.batch,
        )  # fmt: skip
        rows = session.execute(
            select(Alert.id, Alert.route, Alert.title, Alert.body).where(Alert.id.in_(due))
        ).all()
        alerts = {alert_id: (route, title, body) for alert_id, route, title, body in rows}

    for alert_id in due:
        route_name, title, body = alerts[alert_id]

        def call(taken: outbound.Claim, route_name: str = route_name, title: str = title,
                 body: str = body) -> dict[str, object]:  # fmt: skip
            route = settings.alerts.route(route_name)
            if route is None:
                raise outbound.CallFailed(
                    f"route {route_name!r} is no longer configured in [alerts]", permanent=True
                )
            result = send(route, title, body, config.timeout_seconds, notifier)
            if result.error is not None:
                raise outbound.CallFailed(result.error, permanent=result.permanent)
            return {"sent_at": now}

        done = outbound.attempt(
            sessions, ALERTS, policy, alert_id, call, now,
            on_claim=_start_attempt, on_record=_finish_attempt,
        )  # fmt: skip
        if done is None:
            stats.skipped += 1
        elif done.status == outbound.SENT:
            stats.sent += 1
        else:
            stats.failed += 1
            stats.gave_up += int(done.final)
    return stats
