"""The team teaches the model: an agent corrects a case's intent or says it is more or less
urgent than the model thought.

Each correction is stored beside what the model said (so agreement can be measured later
with `monitor model eval`), written to the audit log in the same transaction, and shown in
the post export. A corrected intent also re-routes the case at once. `monitor model train
--use-corrections` can add corrected intents to the topic head's training data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor, require
from monitor.cases import audit
from monitor.cases.actions import CaseActionError, _case
from monitor.db.models import ModelFeedback, Post, Score
from monitor.scoring.topics import TOPICS
from monitor.vocab import FeedbackKind, Permission

DIRECTIONS = {1: "more urgent", -1: "less urgent"}


def _peak_post(session: Session, case_id: int) -> tuple[Post, Score]:
    """The case's most urgent scored post: the one its priority and intent came from."""
    row = session.execute(
        select(Post, Score)
        .join(Score, Score.post_id == Post.id)
        .where(Post.case_id == case_id)
        .order_by(Score.urgency.desc(), Post.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise CaseActionError(f"case {case_id} has no scored post to correct yet")
    return row[0], row[1]


def _already(session: Session, actor: Actor, post_id: int, **fields: object) -> bool:
    """The same correction by the same agent on the same post (a double click, two tabs)."""
    query = select(ModelFeedback.id).where(
        ModelFeedback.post_id == post_id, ModelFeedback.user_id == actor.user_id
    )
    for name, value in fields.items():
        query = query.where(getattr(ModelFeedback, name) == value)
    return session.scalars(query.limit(1)).first() is not None


def correct_intent(
    session: Session, actor: Actor, case_id: int, intent: str
) -> ModelFeedback | None:
    """Record the right intent for a case and route the case by it. None if nothing changed."""
    require(actor, Permission.CASE_WORK)
    if actor.user_id is None:
        raise CaseActionError("only a signed-in user can correct the model")
    if intent not in TOPICS:
        raise CaseActionError(f"unknown intent {intent!r}: choose one of {', '.join(TOPICS)}")
    case = _case(session, case_id)
    post, score = _peak_post(session, case_id)
    if _already(session, actor, post.id, kind=FeedbackKind.INTENT, intent=intent):
        return None
    feedback = ModelFeedback(
        case_id=case_id, post_id=post.id, user_id=actor.user_id, kind=FeedbackKind.INTENT,
        model_intent=score.intent, model_urgency=score.urgency, intent=intent,
    )  # fmt: skip
    session.add(feedback)
    before = case.intent
    case.intent = intent
    session.flush()
    audit.record(
        session, actor, "case.intent_correction", "case", case_id,
        before={"intent": before, "model_intent": score.intent},
        after={"intent": intent, "feedback_id": feedback.id, "post_id": post.id},
    )  # fmt: skip
    return feedback


def rate_urgency(
    session: Session, actor: Actor, case_id: int, direction: int
) -> ModelFeedback | None:
    """Record that a case is more (+1) or less (-1) urgent than scored. None if a repeat."""
    require(actor, Permission.CASE_WORK)
    if actor.user_id is None:
        raise CaseActionError("only a signed-in user can correct the model")
    if direction not in DIRECTIONS:
        raise CaseActionError("urgency feedback is +1 (more urgent) or -1 (less urgent)")
    _case(session, case_id)
    post, score = _peak_post(session, case_id)
    if _already(session, actor, post.id, kind=FeedbackKind.URGENCY, urgency_direction=direction):
        return None
    feedback = ModelFeedback(
        case_id=case_id, post_id=post.id, user_id=actor.user_id, kind=FeedbackKind.URGENCY,
        model_intent=score.intent, model_urgency=score.urgency, urgency_direction=direction,
    )  # fmt: skip
    session.add(feedback)
    session.flush()
    audit.record(
        session, actor, "case.urgency_feedback", "case", case_id,
        before={"urgency": score.urgency},
        after={"feedback": DIRECTIONS[direction], "feedback_id": feedback.id, "post_id": post.id},
    )  # fmt: skip
    return feedback


@dataclass(frozen=True)
class Correction:
    post_id: int
    text: str
    kind: str
    model_intent: str
    model_urgency: float
    intent: str | None
    urgency_direction: int | None


def corrections(session: Session) -> list[Correction]:
    """Every correction with its post's text, oldest first."""
    rows = session.execute(
        select(ModelFeedback, Post.text)
        .join(Post, Post.id == ModelFeedback.post_id)
        .order_by(ModelFeedback.id)
    )
    return [
        Correction(
            post_id=f.post_id,
            text=text,
            kind=f.kind,
            model_intent=f.model_intent,
            model_urgency=f.model_urgency,
            intent=f.intent,
            urgency_direction=f.urgency_direction,
        )
        for f, text in rows
    ]


def case_feedback(session: Session, case_id: int) -> list[str]:
    """Plain lines for the case page: who said what."""
    from monitor.db.models import User

    rows = session.execute(
        select(ModelFeedback, User.username)
        .join(User, User.id == ModelFeedback.user_id)
        .where(ModelFeedback.case_id == case_id)
        .order_by(ModelFeedback.id)
    )
    lines = []
    for f, who in rows:
        if f.kind == FeedbackKind.INTENT:
            lines.append(
                f"{who}: intent is {(f.intent or '').replace('_', ' ')} "
                f"(model said {f.model_intent.replace('_', ' ')})"
            )
        else:
            lines.append(
                f"{who}: {DIRECTIONS.get(f.urgency_direction or 0, '?')} than {f.model_urgency:.0f}"
            )
    return lines
