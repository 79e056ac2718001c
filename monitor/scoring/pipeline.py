"""Score stored posts that have no score yet, and roll the result up into their cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.db.models import Case, CaseOrderLink, Order, Post, Score
from monitor.db.types import utcnow
from monitor.scoring.model import TextModel
from monitor.scoring.signals import read_signals
from monitor.scoring.urgency import PostContext, compute_urgency
from monitor.settings import Settings


def score_pending(
    factory: sessionmaker[Session], model: TextModel, settings: Settings, *, batch_size: int = 256
) -> int:
    """Score every unscored inbound post, one committed batch at a time; returns how many.

    Batches are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several processes can
    score side by side without scoring a post twice (the unique post_id is the backstop).
    """
    total = 0
    while True:
        with factory() as session, session.begin():
            query = (
                select(Post)
                .outerjoin(Score, Score.post_id == Post.id)
                .where(Score.id.is_(None), Post.inbound.is_(True))
                .order_by(Post.created_at, Post.id)
                .limit(batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(of=Post, skip_locked=True)
            posts = session.scalars(query).all()
            if not posts:
                return total
            score_posts(session, list(posts), model, settings)
            total += len(posts)


def score_posts(
    session: Session, posts: Sequence[Post], model: TextModel, settings: Settings
) -> list[Score]:
    predictions = model.predict([post.text for post in posts])
    scores = []
    for post, prediction in zip(posts, predictions, strict=True):
        signals = read_signals(post.text)
        result = compute_urgency(
            prediction, signals, _context(session, post, settings), settings.urgency
        )
        score = Score(
            post=post,
            model_version=model.version,
            negative=prediction.negative,
            neutral=prediction.neutral,
            positive=prediction.positive,
            complaint=prediction.complaint,
            severity=prediction.severity,
            urgency=result.score,
            intent=signals.intent,
            language_supported=signals.language_supported,
            factors=result.factors,
            explanation=result.explanation,
            scored_at=utcnow(),
        )
        session.add(score)
        session.flush()  # later posts of the same author see this one as their previous
        scores.append(score)
        if post.case is not None:
            _roll_up(post.case, score, settings)
    return scores


def _context(session: Session, post: Post, settings: Settings) -> PostContext:
    window = timedelta(hours=settings.urgency.repeat_window_hours)
    earlier = session.scalar(
        select(func.count(Post.id)).where(
            Post.author_id == post.author_id,
            Post.inbound.is_(True),
            Post.created_at < post.created_at,
            Post.created_at >= post.created_at - window,
        )
    )
    waiting = 0.0
    previous_negative = None
    order_value = None
    case = post.case
    if case is not None:
        if case.first_response_at is None or case.first_response_at > post.created_at:
            waiting = max((post.created_at - case.opened_at).total_seconds() / 3600, 0.0)
        previous_negative = session.scalar(
            select(Score.negative)
            .join(Post, Post.id == Score.post_id)
            .where(Post.case_id == case.id, Post.created_at < post.created_at)
            .order_by(Post.created_at.desc())
            .limit(1)
        )
        order_value = session.scalar(
            select(func.max(Order.value))
            .join(CaseOrderLink, CaseOrderLink.order_id == Order.id)
            .where(CaseOrderLink.case_id == case.id)
        )
    return PostContext(
        followers=post.author.followers,
        verified=post.author.verified,
        public=post.kind != "dm",
        earlier_contacts=earlier or 0,
        waiting_hours=waiting,
        order_value=order_value,
        previous_negative=previous_negative,
    )


def _roll_up(case: Case, score: Score, settings: Settings) -> None:
    """A case is as urgent as the most urgent thing its customer said."""
    if score.urgency >= case.priority:
        case.priority = score.urgency
        case.intent = score.intent
    if score.urgency >= settings.scoring.critical_urgency and case.sla_due_at is not None:
        # Critical posts get a quarter of the usual time to first response.
        hours = (
            settings.scoring.sla_hours_private
            if score.post.kind == "dm"
            else (settings.scoring.sla_hours_public)
        )
        critical_due = score.post.created_at + timedelta(hours=hours / 4)
        case.sla_due_at = min(case.sla_due_at, critical_due)
