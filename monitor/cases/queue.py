"""The work queue: open cases, most urgent first, with what the team needs to triage them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from monitor.cases.threads import OPEN_STATUSES
from monitor.db.models import Author, Case, Post, Score
from monitor.db.types import utcnow
from monitor.scoring.topics import TOPICS


@dataclass(frozen=True)
class QueueFilters:
    platforms: tuple[str, ...] = ()
    statuses: tuple[str, ...] = OPEN_STATUSES
    intents: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # any of these among the most urgent post's topics
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of the most urgent post
    min_urgency: float = 0.0
    assignee_id: int | None = None


@dataclass(frozen=True)
class QueueRow:
    case_id: int
    urgency: float
    status: str
    platform: str
    channel: str  # kind of the most urgent post: mention, comment, dm
    intent: str
    author: str
    followers: int
    verified: bool
    text: str  # the most urgent post of the case
    explanation: str
    posts: int
    last_post_at: datetime
    sla_due_at: datetime | None
    factors: dict[str, float] = field(default_factory=dict)
    topics: tuple[str, ...] = ()
    language: str = "en"

    def sla_minutes_left(self, now: datetime | None = None) -> float | None:
        if self.sla_due_at is None:
            return None
        return (self.sla_due_at - (now or utcnow())).total_seconds() / 60


def queue(
    session: Session, filters: QueueFilters = QueueFilters(), *, limit: int = 50, offset: int = 0
) -> list[QueueRow]:
    # The case's most urgent scored post, chosen in SQL so the page stays fast at 100k posts.
    ranked = (
        select(
            Post.case_id.label("case_id"),
            Post.id.label("post_id"),
            func.row_number()
            .over(partition_by=Post.case_id, order_by=(Score.urgency.desc(), Post.id.desc()))
            .label("rank"),
            func.count(Post.id).over(partition_by=Post.case_id).label("posts"),
        )
        .join(Score, Score.post_id == Post.id)
        .subquery()
    )
    query = (
        select(Case, Author, Post, Score, ranked.c.posts)
        .join(ranked, and_(ranked.c.case_id == Case.id, ranked.c.rank == 1))
        .join(Post, Post.id == ranked.c.post_id)
        .join(Score, Score.post_id == Post.id)
        .join(Author, Author.id == Case.author_id)
        .where(Case.status.in_(filters.statuses), Case.priority >= filters.min_urgency)
        .order_by(Case.priority.desc(), Case.last_post_at.desc(), Case.id)
        .limit(limit)
        .offset(offset)
    )
    if filters.platforms:
        query = query.where(Case.platform.in_(filters.platforms))
    if filters.intents:
        query = query.where(Case.intent.in_(filters.intents))
    if filters.topics:
        # No topic name contains another, so a substring test on the stored list is exact.
        query = query.where(
            or_(*(Score.topics.contains(topic, autoescape=True) for topic in filters.topics))
        )
    if filters.languages:
        query = query.where(Score.language.in_(filters.languages))
    if filters.assignee_id is not None:
        query = query.where(Case.assignee_id == filters.assignee_id)
    return [
        QueueRow(
            case_id=case.id,
            urgency=case.priority,
            status=case.status,
            platform=case.platform,
            channel=post.kind,
            intent=case.intent or score.intent,
            author=author.handle,
            followers=author.followers,
            verified=author.verified,
            text=post.text,
            explanation=score.explanation,
            posts=posts,
            last_post_at=case.last_post_at,
            sla_due_at=case.sla_due_at,
            factors=dict(score.factors or {}),
            topics=tuple(t for t in (score.topics or "").split(";") if t),
            language=score.language,
        )
        for case, author, post, score, posts in session.execute(query)
    ]


def queue_facets(session: Session) -> dict[str, list[str]]:
    """Values present in the data, for the filter widgets."""
    platforms = session.scalars(select(Case.platform).distinct().order_by(Case.platform)).all()
    intents = session.scalars(
        select(Case.intent).where(Case.intent.is_not(None)).distinct().order_by(Case.intent)
    ).all()
    languages = session.scalars(select(Score.language).distinct().order_by(Score.language)).all()
    return {
        "platforms": list(platforms),
        "intents": [i for i in intents if i],
        "topics": list(TOPICS),
        "languages": list(languages),
    }
