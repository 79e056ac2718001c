"""What a new score means for its case: the team works the case, not the post.

A case is as urgent as the most urgent thing its customer said (its priority and intent come
from that post), and a critical post brings the case's first-response deadline forward.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from monitor.cases.sla import SlaPolicy
from monitor.config import Settings
from monitor.db.models import Score
from monitor.scoring.model import TextModel
from monitor.scoring.pipeline import score_pending


def roll_up(scores: Sequence[Score], sla: SlaPolicy) -> None:
    """Apply each score to its post's case, oldest post first (the order scores come in)."""
    for score in scores:
        case = score.post.case
        if case is None:
            continue
        if score.urgency >= case.priority:
            case.priority = score.urgency
            case.intent = score.intent
        case.sla_due_at = sla.tightened(
            case.sla_due_at, score.post.created_at, score.post.kind, score.urgency
        )


def score_and_roll_up(
    factory: sessionmaker[Session], model: TextModel, settings: Settings, *, batch_size: int = 256
) -> int:
    """Score every unscored inbound post and roll each batch up into its cases; how many."""
    sla = SlaPolicy(settings.sla)
    return score_pending(
        factory, model, settings, then=lambda scores: roll_up(scores, sla), batch_size=batch_size
    )
