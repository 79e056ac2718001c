"""Calls to the outside world on the team's behalf, handled like a payment.

Alerts, customer replies and order-system calls share one path, one row per call:

1. claim: `UPDATE ... SET status='sending', attempts=attempts+1 WHERE id=? AND status IN
   (ready) AND due` in its own committed transaction. Exactly one process sees rowcount 1.
2. call the outside world, outside any transaction.
3. record: `sent`, or back to the retry status with a backoff (`next_attempt_at`), or the
   final `failed` state once attempts run out or the failure is permanent.

A process that dies between 2 and 3 leaves the row `sending`. `recover_stale` finds such
claims: for replies and money the call may well have happened, so the row becomes `unknown`
and waits for a person to check before retrying (never a blind resend); alerts, where a
duplicate notification costs less than a lost one, may opt to be resent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor.db.engine import rows_changed, transaction
from monitor.vocab import CallStatus

# Every table on this path spells these three states the same way (`monitor.vocab`).
SENDING, SENT, UNKNOWN = CallStatus.SENDING, CallStatus.SENT, CallStatus.UNKNOWN


class CallFailed(Exception):
    """The outside world did not confirm the call; `permanent` means retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class RetrySettings(Protocol):
    """The four retry keys of a config section ([replies], [alerts.delivery], ...)."""

    @property
    def max_attempts(self) -> int: ...
    @property
    def backoff_seconds(self) -> float: ...
    @property
    def backoff_max_seconds(self) -> float: ...
    @property
    def stale_claim_minutes(self) -> float: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_seconds: float = 60.0  # doubles after each failed attempt
    backoff_max_seconds: float = 3600.0
    stale_after: timedelta = timedelta(minutes=10)  # a claim older than this was abandoned

    @classmethod
    def of(cls, settings: RetrySettings) -> RetryPolicy:
        return cls(
            max_attempts=settings.max_attempts,
            backoff_seconds=settings.backoff_seconds,
            backoff_max_seconds=settings.backoff_max_seconds,
            stale_after=timedelta(minutes=settings.stale_claim_minutes),
        )

    def backoff(self, attempts: int) -> timedelta:
        """Wait after the `attempts`-th failure: base, 2x base, 4x base ... up to the maximum."""
        seconds = self.backoff_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.backoff_max_seconds))


@dataclass(frozen=True)
class Lifecycle:
    """How one table names its states. The table needs the columns id, status, attempts,
    claimed_at, next_attempt_at and error."""

    model: Any
    ready: tuple[StrEnum, ...] = (CallStatus.QUEUED,)  # statuses a worker may claim
    retry: StrEnum = CallStatus.QUEUED  # after a passing failure
    failed: StrEnum = CallStatus.FAILED  # after the last attempt or a permanent failure
    capped: bool = False  # True: `failed` rows stay claimable while attempts < max_attempts
    resend_stale: bool = False  # True: an abandoned claim is retried instead of `unknown`

    def claimable(self, now: datetime, policy: RetryPolicy) -> ColumnElement[bool]:
        m = self.model
        condition = m.status.in_(self.ready) & or_(
            m.next_attempt_at.is_(None), m.next_attempt_at <= now
        )
        if self.capped:
            condition = condition & (m.attempts < policy.max_attempts)
        return condition


@dataclass(frozen=True)
class Claim:
    row_id: int
    attempt: int  # 1 for the first try


@dataclass(frozen=True)
class Recorded:
    status: str
    final: bool  # no more automatic attempts: sent, or failed for good


Hook = Callable[[Session, Claim, str, str | None], None]


def due(
    session: Session,
    life: Lifecycle,
    policy: RetryPolicy,
    now: datetime,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    limit: int = 50,
) -> list[int]:
    """Ids of rows that may be claimed at `now`, oldest first."""
    m = life.model
    query = select(m.id).where(life.claimable(now, policy), *where).order_by(m.id).limit(limit)
    return list(session.scalars(query))


def claim(
    sessions: sessionmaker[Session],
    life: Lifecycle,
    policy: RetryPolicy,
    row_id: int,
    now: datetime,
    *,
    on_claim: Callable[[Session, Claim], None] | None = None,
) -> Claim | None:
    """Step 1, committed before the call; None if another worker (or nobody) may send it."""
    m = life.model
    with transaction(sessions) as session:
        claimed = session.execute(
            update(m)
            .where(m.id == row_id, life.claimable(now, policy))
            .values(status=SENDING, attempts=m.attempts + 1, claimed_at=now, error=None)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(claimed) != 1:
            return None
        attempt = int(session.scalars(select(m.attempts).where(m.id == row_id)).one())
        taken = Claim(row_id, attempt)
        if on_claim is not None:
            on_claim(session, taken)
        return taken


def record(
    sessions: sessionmaker[Session],
    life: Lifecycle,
    policy: RetryPolicy,
    taken: Claim,
    now: datetime,
    *,
    error: CallFailed | None = None,
    values: dict[str, Any] | None = None,
    on_record: Hook | None = None,
) -> Recorded:
    """Step 3: write what happened."""
    m = life.model
    changes: dict[str, Any] = dict(values or {})
    final = True
    status: StrEnum = SENT
    if error is None:
        message = None
        changes["next_attempt_at"] = None
    elif error.permanent or taken.attempt >= policy.max_attempts:
        status = life.failed
        plural = "s" if taken.attempt != 1 else ""
        message = f"gave up after {taken.attempt} attempt{plural}: {error}"
        changes["next_attempt_at"] = None
        if life.capped:  # the cap is what keeps a capped table's failed row from being claimed
            changes["attempts"] = max(policy.max_attempts, taken.attempt)
    else:
        final = False
        status, message = life.retry, str(error)
        changes["next_attempt_at"] = now + policy.backoff(taken.attempt)
    with transaction(sessions) as session:
        session.execute(
            update(m)
            .where(m.id == taken.row_id, m.status == SENDING, m.attempts == taken.attempt)
            .values(status=status, error=message and message[:2000], **changes)
            .execution_options(synchronize_session=False)
        )
        if on_record is not None:
            on_record(session, taken, status, message)
    return Recorded(status, final)


def attempt(
    sessions: sessionmaker[Session],
    life: Lifecycle,
    policy: RetryPolicy,
    row_id: int,
    call: Callable[[Claim], dict[str, Any]],
    now: datetime,
    *,
    on_claim: Callable[[Session, Claim], None] | None = None,
    on_record: Hook | None = None,
) -> Recorded | None:
    """Claim, call, record one row. `call` returns the columns to store on success and raises
    CallFailed otherwise. Returns what was recorded, or None if the row was not ours to send."""
    taken = claim(sessions, life, policy, row_id, now, on_claim=on_claim)
    if taken is None:
        return None
    try:
        values = call(taken)
    except CallFailed as exc:
        return record(sessions, life, policy, taken, now, error=exc, on_record=on_record)
    return record(sessions, life, policy, taken, now, values=values, on_record=on_record)


def recover_stale(
    sessions: sessionmaker[Session],
    life: Lifecycle,
    policy: RetryPolicy,
    now: datetime,
    *,
    on_recover: Hook | None = None,
) -> list[int]:
    """Claims older than `stale_after` whose process died: `unknown` (or retried, for tables
    that allow it). Returns their ids."""
    m = life.model
    cutoff = now - policy.stale_after
    with transaction(sessions) as session:
        # No claim time: claimed by a version that did not record one, so long ago.
        abandoned = or_(m.claimed_at < cutoff, m.claimed_at.is_(None))
        rows = session.execute(select(m.id, m.attempts).where(m.status == SENDING, abandoned)).all()
        recovered = []
        for row_id, attempts in rows:
            status = life.retry if life.resend_stale else UNKNOWN
            message = f"attempt {attempts} was interrupted before its result was recorded: " + (
                "retrying" if life.resend_stale else "check whether it went through before retrying"
            )
            changed = session.execute(
                update(m)
                .where(m.id == row_id, m.status == SENDING, m.attempts == attempts)
                .values(status=status, error=message, next_attempt_at=None)
                .execution_options(synchronize_session=False)
            )
            if rows_changed(changed) == 1:
                recovered.append(row_id)
                if on_recover is not None:
                    on_recover(session, Claim(row_id, attempts), status, message)
    return recovered


def confirm_sent(session: Session, life: Lifecycle, row_id: int, values: dict[str, Any]) -> bool:
    """A person checked an `unknown` row and found the call did go through (the caller checks
    permission and audits). In the caller's transaction."""
    m = life.model
    changed = session.execute(
        update(m)
        .where(m.id == row_id, m.status == UNKNOWN)
        .values(status=SENT, error=None, next_attempt_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(changed) == 1


def requeue(session: Session, life: Lifecycle, row_id: int, now: datetime) -> bool:
    """A person checked a `failed` or `unknown` row and asks for one more try (the caller
    checks permission and audits). In the caller's transaction."""
    m = life.model
    changed = session.execute(
        update(m)
        .where(m.id == row_id, m.status.in_((life.failed, UNKNOWN)))
        .values(status=life.ready[0], next_attempt_at=now, error=None)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(changed) == 1
