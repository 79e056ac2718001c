"""From a stored post to a delivered alert in one go: score, evaluate the rules, deliver.

A poll that stores posts runs the three steps at once, in its own thread, so an urgent post
reaches the team seconds after the poll that fetched it instead of waiting a tick per stage.
The periodic score and alert jobs run the same steps as the safety net (posts stored by
another process, a delivery to retry, an SLA deadline passing). Every step claims its own
work, so running them twice, here and in another process, does no harm; within one process
the scoring lock keeps two threads from scoring the same batch on SQLite, which has no
`SKIP LOCKED`.
"""

from __future__ import annotations

import logging
import threading

from monitor.alerts.deliver import deliver_pending
from monitor.alerts.evaluate import evaluate_rules
from monitor.cases.rollup import score_and_roll_up
from monitor.context import AppContext
from monitor.polling import PollOutcome

log = logging.getLogger(__name__)


class Flow:
    def __init__(self, app: AppContext) -> None:
        self.app = app
        self._scoring = threading.Lock()

    def score(self) -> int:
        with self._scoring:
            count = score_and_roll_up(self.app.sessions, self.app.model, self.app.settings)
        if count:
            log.info("scored %d new posts with %s", count, self.app.model.version)
        return count

    def alerts(self) -> None:
        """Evaluate, then deliver what that created: one step, not two ticks apart."""
        created = evaluate_rules(self.app.sessions, self.app.settings)
        if created:
            log.info("created %d alerts", created)
        deliver_pending(self.app.sessions, self.app.settings)

    def after_poll(self, outcome: PollOutcome) -> None:
        if outcome.stored:
            self.score()
            self.alerts()
