"""Score stored posts that have no score yet.

What a score means for its case (priority, intent, deadline) is the team's workflow, done by
the `then` step the caller passes in the same transaction (see monitor/cases/rollup.py).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from monitor.config import Settings
from monitor.db.dialect import is_postgres
from monitor.db.engine import transaction
from monitor.db.models import CaseOrderLink, Order, Post, Score
from monitor.db.types import utcnow
from monitor.scoring.assess import assess
from monitor.scoring.model import TextModel
from monitor.scoring.urgency import PostContext, compute_urgency
from monitor.vocab import PostKind

AfterScoring = Callable[[Sequence[Score]], None]


def score_pending(
    factory: sessionmaker[Session],
    model: TextModel,
    settings: Settings,
    *,
    then: AfterScoring | None = None,
    batch_size: int = 256,
) -> int:
    """Score every unscored inbound post, one committed batch at a time; returns how many.

    `then` sees each batch's scores before the batch commits, so what it changes commits (or
    rolls back) with them.

    Batches are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several processes can
    score side by side without scoring a post twice (the unique post_id is the backstop).
    """
    total = 0
    while True:
        with transaction(factory) as session:
            query = (
                select(Post)
                .outerjoin(Score, Score.post_id == Post.id)
                .where(Score.id.is_(None), Post.inbound.is_(True))
                .order_by(Post.created_at, Post.id)
                .limit(batch_size)
                # Author, case and (absent) score in a query each per batch rather than per
                # post: saving a Score checks the post's previous one, a lazy load otherwise.
                .options(
                    selectinload(Post.author), selectinload(Post.case), selectinload(Post.score)
                )
            )
            if is_postgres(session):
                query = query.with_for_update(of=Post, skip_locked=True)
            posts = session.scalars(query).all()
            if not posts:
                return total
            scores = score_posts(session, list(posts), model, settings)
            if then is not None:
                then(scores)
            total += len(posts)


def score_posts(
    session: Session, posts: Sequence[Post], model: TextModel, settings: Settings
) -> list[Score]:
    texts = [post.text for post in posts]
    predictions = model.predict(texts)
    assessments = assess(texts, predictions, model, settings.stakes)
    history = _BatchHistory.load(session, posts, settings)
    scores = []
    # Oldest first, so a later post of the same case sees an earlier one as its previous.
    ordered = sorted(
        zip(posts, predictions, assessments, strict=True), key=lambda row: row[0].created_at
    )
    for post, prediction, seen in ordered:
        result = compute_urgency(
            prediction,
            seen.signals,
            history.context(post),
            settings.urgency,
            stakes=seen.stakes,
            topic_scores=seen.topic_scores,
            language_supported=seen.language_supported,
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
            intent=seen.intent,
            language_supported=seen.language_supported,
            language=seen.language,
            topics=";".join(seen.topics),
            topic_scores=seen.topic_scores or None,
            factors=result.factors,
            explanation=result.explanation,
            scored_at=utcnow(),
        )
        session.add(score)
        history.record(post, score.negative)
        scores.append(score)
    session.flush()
    return scores


@dataclass
class _BatchHistory:
    """What scoring needs to know about a batch's authors and cases, read in three queries
    for the whole batch rather than three per post."""

    window: timedelta
    inbound_times: dict[int, list[datetime]]  # author id -> sorted inbound post times
    case_negatives: dict[int, list[tuple[datetime, float]]]  # case id -> scored, by time
    order_values: dict[int, Decimal]  # case id -> largest linked order value

    @classmethod
    def load(cls, session: Session, posts: Sequence[Post], settings: Settings) -> _BatchHistory:
        window = timedelta(hours=settings.urgency.repeat_window_hours)
        if not posts:
            return cls(window, {}, {}, {})
        authors = {post.author_id for post in posts}
        case_ids = {post.case_id for post in posts if post.case_id is not None}
        oldest = min(post.created_at for post in posts)
        newest = max(post.created_at for post in posts)
        inbound_times: dict[int, list[datetime]] = defaultdict(list)
        for author_id, created_at in session.execute(
            select(Post.author_id, Post.created_at).where(
                Post.author_id.in_(authors),
                Post.inbound.is_(True),
                Post.created_at >= oldest - window,
                Post.created_at < newest,
            )
        ):
            inbound_times[author_id].append(created_at)
        case_negatives: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
        order_values: dict[int, Decimal] = {}
        if case_ids:
            for case_id, created_at, negative in session.execute(
                select(Post.case_id, Post.created_at, Score.negative)
                .join(Score, Score.post_id == Post.id)
                .where(Post.case_id.in_(case_ids), Post.created_at < newest)
            ):
                if case_id is not None:  # always, by the filter; narrows the type
                    case_negatives[case_id].append((created_at, negative))
            order_values = {
                case_id: value
                for case_id, value in session.execute(
                    select(CaseOrderLink.case_id, func.max(Order.value))
                    .join(Order, Order.id == CaseOrderLink.order_id)
                    .where(CaseOrderLink.case_id.in_(case_ids))
                    .group_by(CaseOrderLink.case_id)
                )
            }
        for times in inbound_times.values():
            times.sort()
        for entries in case_negatives.values():
            entries.sort(key=lambda entry: entry[0])
        return cls(window, inbound_times, case_negatives, order_values)

    def context(self, post: Post) -> PostContext:
        times = self.inbound_times.get(post.author_id, [])
        earlier = bisect_left(times, post.created_at) - bisect_left(
            times, post.created_at - self.window
        )
        waiting = 0.0
        previous_negative = None
        order_value = None
        case = post.case
        if case is not None:
            if case.first_response_at is None or case.first_response_at > post.created_at:
                waiting = max((post.created_at - case.opened_at).total_seconds() / 3600, 0.0)
            entries = self.case_negatives.get(case.id, [])
            before = bisect_left(entries, post.created_at, key=lambda entry: entry[0])
            previous_negative = entries[before - 1][1] if before else None
            order_value = self.order_values.get(case.id)
        return PostContext(
            followers=post.author.followers,
            verified=post.author.verified,
            public=post.kind != PostKind.DM,
            earlier_contacts=earlier,
            waiting_hours=waiting,
            order_value=order_value,
            previous_negative=previous_negative,
        )

    def record(self, post: Post, negative: float) -> None:
        """A post just scored is the previous message for later posts of its case."""
        if post.case is not None:
            insort(
                self.case_negatives[post.case.id],
                (post.created_at, negative),
                key=lambda entry: entry[0],
            )
