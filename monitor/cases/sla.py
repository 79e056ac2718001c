"""The one first-response deadline rule, used when posts arrive (monitor/cases/threads.py),
when a score rolls up into its case (monitor/cases/rollup.py) and when reports re-derive the
deadline of answered cases (monitor/reports/rows.py).

A customer's first post starts the clock: `public_hours` for public posts, `private_hours` for
direct messages. A post scored at or above `critical_urgency` brings the deadline forward to
a quarter of that time from when it was posted; a score never pushes a deadline back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.config import SlaSettings
from monitor.vocab import PostKind, SlaOutcome

CRITICAL_SHARE = 0.25  # critical posts get a quarter of the usual time


@dataclass(frozen=True)
class SlaPolicy:
    settings: SlaSettings = field(default_factory=SlaSettings)

    def critical(self, urgency: float | None) -> bool:
        return urgency is not None and urgency >= self.settings.critical_urgency

    def hours(self, kind: str, urgency: float | None = None) -> float:
        """Hours to the first reply for a post of this kind (and urgency, once scored)."""
        hours = self.settings.private_hours if kind == PostKind.DM else self.settings.public_hours
        return hours * CRITICAL_SHARE if self.critical(urgency) else hours

    def due(self, posted_at: datetime, kind: str, urgency: float | None = None) -> datetime:
        return posted_at + timedelta(hours=self.hours(kind, urgency))

    def tightened(
        self, due: datetime | None, posted_at: datetime, kind: str, urgency: float | None
    ) -> datetime | None:
        """The deadline after a post of the case is scored: earlier if the post is critical,
        never later; None (answered, no clock running) stays None."""
        if due is None or not self.critical(urgency):
            return due
        return min(due, self.due(posted_at, kind, urgency))

    @staticmethod
    def outcome(due: datetime, first_response_at: datetime | None, now: datetime) -> SlaOutcome:
        """Met or missed once answered; until then missed once past due, else still open."""
        if first_response_at is not None:
            return SlaOutcome.MET if first_response_at <= due else SlaOutcome.MISSED
        return SlaOutcome.MISSED if now > due else SlaOutcome.OPEN
