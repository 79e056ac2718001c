"""The work queue: open cases that still wait for the team's reply first, then by urgency,
with what the team needs to triage them, a page at a time, with counts and search.

Cases are ranked and paged on the `cases` table alone (indexed, see migration
0011_queue_indexes), and only the page's cases are joined to their most urgent post, so a
page costs the same with 1,000 cases or 1,000,000 posts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from monitor.db.models import Author, Case, CaseOrderLink, Order, Post, Score, User
from monitor.db.types import utcnow
from monitor.scoring.topics import TOPICS
from monitor.vocab import OPEN_CASE_STATUSES

BREACH_MINUTES = 15.0  # "breaching soon": the reply is due within this many minutes, or late
SEARCH_LIMIT = 200  # characters of a search that are used

# Reply states, in queue order: the team owes a first reply, the customer wrote again after
# our reply, or the clock is stopped because we answered last.
FIRST_REPLY = "needs first reply"
FOLLOW_UP = "needs reply"
ANSWERED = "answered"


@dataclass(frozen=True)
class QueueFilters:
    platforms: tuple[str, ...] = ()
    statuses: tuple[str, ...] = OPEN_CASE_STATUSES
    intents: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # a post of the case has any of these topics
    languages: tuple[str, ...] = ()  # a post of the case is in one of these (ISO 639-1)
    min_urgency: float = 0.0
    assignee_id: int | None = None
    unassigned: bool = False
    needs_first_reply: bool = False
    due_within_minutes: float | None = None  # SLA due within this many minutes, or overdue
    search: str = ""  # words of a post, @handle, order number or case id (#85)


@dataclass(frozen=True)
class QueueRow:
    case_id: int
    urgency: float
    status: str
    platform: str
    channel: str  # kind of the most urgent post: mention, comment, dm
    intent: str
    author: str  # the handle (Facebook and Instagram: a numeric id)
    author_name: str | None  # the display name, if the platform gave one
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
    first_response_at: datetime | None = None
    assignee: str | None = None

    def sla_minutes_left(self, now: datetime | None = None) -> float | None:
        if self.sla_due_at is None:
            return None
        return (self.sla_due_at - (now or utcnow())).total_seconds() / 60

    @property
    def reply_state(self) -> str:
        if self.first_response_at is None:
            return FIRST_REPLY
        return FOLLOW_UP if self.sla_due_at is not None else ANSWERED


@dataclass(frozen=True)
class QueueCounts:
    """How many cases match the filters, per status (whatever statuses are chosen), and how
    many of the chosen ones need a first reply or are about to breach their SLA."""

    by_status: dict[str, int]
    total: int  # of the chosen statuses
    needs_first_reply: int
    breaching: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    counts: QueueCounts
    page: int  # from 1
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.counts.total // self.page_size))


def answered_last() -> ColumnElement[bool]:
    """False while the team owes a reply (first or follow-up), true once it answered last;
    false sorts first. The same expression as the index `ix_cases_queue_order`, so the
    database reads the queue in order from that index."""
    return and_(Case.first_response_at.is_not(None), Case.sla_due_at.is_(None))


def _control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def _search(text: str) -> ColumnElement[bool] | None:
    """Cases whose posts contain the words, whose author's handle contains them, linked to
    (or belonging to the customer of) that order number, or with that id. Wildcards in the
    text are matched literally."""
    # Control characters never reach the database: SQLite would end the text at a NUL (and
    # match everything), PostgreSQL refuses it.
    text = " ".join("".join(" " if _control(c) else c for c in text).split())[:SEARCH_LIMIT]
    if not text:
        return None
    if text.startswith("#") and text[1:].isdigit() and len(text) <= 13:  # #85: that case only
        return Case.id == int(text[1:])
    if text.startswith("@") and len(text) > 1:
        name = text[1:]
        return Case.author_id.in_(
            select(Author.id).where(Author.handle.icontains(name, autoescape=True))
        )
    matches: list[ColumnElement[bool]] = [
        Case.id.in_(
            select(Post.case_id).where(
                Post.case_id.is_not(None), Post.text.icontains(text, autoescape=True)
            )
        ),
        Case.author_id.in_(select(Author.id).where(Author.handle.icontains(text, autoescape=True))),
        Case.id.in_(select(CaseOrderLink.case_id).where(CaseOrderLink.order_id == text)),
        # The customer's own order: only when the author is known to be that customer.
        Case.author_id.in_(
            select(Author.id)
            .join(Order, Order.customer_id == Author.customer_id)
            .where(Order.id == text)
        ),
    ]
    if text.isdigit() and len(text) <= 12:  # a bare number may be a case id, too
        matches.append(Case.id == int(text))
    return or_(*matches)


def _conditions(
    filters: QueueFilters, now: datetime, *, statuses: bool = True
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if statuses:
        where.append(Case.status.in_(filters.statuses))
    if filters.min_urgency > 0:
        where.append(Case.priority >= filters.min_urgency)
    if filters.platforms:
        where.append(Case.platform.in_(filters.platforms))
    if filters.intents:
        where.append(Case.intent.in_(filters.intents))
    if filters.assignee_id is not None:
        where.append(Case.assignee_id == filters.assignee_id)
    if filters.unassigned:
        where.append(Case.assignee_id.is_(None))
    if filters.needs_first_reply:
        where.append(Case.first_response_at.is_(None))
    if filters.due_within_minutes is not None:
        where.append(Case.sla_due_at <= now + timedelta(minutes=filters.due_within_minutes))
    if filters.topics or filters.languages:
        scored = and_(Post.case_id == Case.id, Score.post_id == Post.id)
        if filters.topics:
            # No topic name contains another, so a substring test on the stored list is exact.
            scored = and_(
                scored, or_(*(Score.topics.contains(t, autoescape=True) for t in filters.topics))
            )
        if filters.languages:
            scored = and_(scored, Score.language.in_(filters.languages))
        where.append(exists().where(scored))
    found = _search(filters.search)
    if found is not None:
        where.append(found)
    return where


def _ranked_ids(filters: QueueFilters, now: datetime, limit: int, offset: int) -> Select[int]:
    return (
        select(Case.id)
        .where(*_conditions(filters, now))
        .order_by(answered_last(), Case.priority.desc(), Case.last_post_at.desc(), Case.id)
        .limit(limit)
        .offset(offset)
    )


def queue(
    session: Session,
    filters: QueueFilters = QueueFilters(),
    *,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> list[QueueRow]:
    """One page of the queue, in queue order."""
    ids = list(session.scalars(_ranked_ids(filters, now or utcnow(), limit, offset)))
    return rows_for(session, ids)


def rows_for(session: Session, case_ids: list[int]) -> list[QueueRow]:
    """Queue rows for these cases, in the given order. A case shows its most urgent post; one
    the scorer has not reached yet shows its latest post, "not scored yet"."""
    if not case_ids:
        return []
    ranked = (
        select(
            Post.case_id.label("case_id"),
            Post.id.label("post_id"),
            func.row_number()
            .over(
                partition_by=Post.case_id,
                order_by=(Score.urgency.desc().nulls_last(), Post.id.desc()),
            )
            .label("rank"),
            func.count(Post.id).over(partition_by=Post.case_id).label("posts"),
        )
        .outerjoin(Score, Score.post_id == Post.id)
        .where(Post.case_id.in_(case_ids), Post.inbound == true(), Post.third_party == false())
        .subquery()
    )
    query = (
        select(Case, Author, Post, Score, ranked.c.posts, User.username)
        .join(ranked, and_(ranked.c.case_id == Case.id, ranked.c.rank == 1))
        .join(Post, Post.id == ranked.c.post_id)
        .outerjoin(Score, Score.post_id == Post.id)
        .join(Author, Author.id == Case.author_id)
        .outerjoin(User, User.id == Case.assignee_id)
    )
    found = {
        c.id: QueueRow(
            case_id=c.id,
            urgency=c.priority,
            status=c.status,
            platform=c.platform,
            channel=post.kind,
            intent=c.intent or (score.intent if score else "other"),
            author=author.handle,
            author_name=author.display_name,
            followers=author.followers,
            verified=author.verified,
            text=post.text,
            explanation=score.explanation if score else "not scored yet",
            posts=posts,
            last_post_at=c.last_post_at,
            sla_due_at=c.sla_due_at,
            factors=dict(score.factors or {}) if score else {},
            topics=tuple(t for t in (score.topics or "").split(";") if t) if score else (),
            language=score.language if score else "und",
            first_response_at=c.first_response_at,
            assignee=assignee,
        )
        for c, author, post, score, posts, assignee in session.execute(query)
    }
    return [found[i] for i in case_ids if i in found]


def queue_counts(
    session: Session, filters: QueueFilters = QueueFilters(), *, now: datetime | None = None
) -> QueueCounts:
    """One grouped count over the cases: every status (so the page can say how many are
    resolved too), and among the chosen statuses those owing a first reply or breaching."""
    now = now or utcnow()
    soon = now + timedelta(minutes=BREACH_MINUTES)
    first: Any = func.sum(case((Case.first_response_at.is_(None), 1), else_=0))
    breaching: Any = func.sum(case((Case.sla_due_at <= soon, 1), else_=0))
    query = (
        select(Case.status, func.count(), first, breaching)
        .where(*_conditions(filters, now, statuses=False))
        .group_by(Case.status)
    )
    by_status: dict[str, int] = {}
    total = needs_first = soon_due = 0
    for status, count, first_count, breaching_count in session.execute(query):
        by_status[status] = int(count)
        if status in filters.statuses:
            total += int(count)
            needs_first += int(first_count or 0)
            soon_due += int(breaching_count or 0)
    return QueueCounts(by_status, total, needs_first, soon_due)


def queue_page(
    session: Session,
    filters: QueueFilters = QueueFilters(),
    *,
    page: int = 1,
    page_size: int = 50,
    now: datetime | None = None,
) -> QueuePage:
    """A page (from 1) of the queue with the counts; a page past the end shows the last."""
    now = now or utcnow()
    if page_size < 1 or page_size > 500:
        raise ValueError("page_size must be between 1 and 500")
    counts = queue_counts(session, filters, now=now)
    pages = max(1, -(-counts.total // page_size))
    page = min(max(page, 1), pages)
    rows = queue(session, filters, limit=page_size, offset=(page - 1) * page_size, now=now)
    return QueuePage(rows, counts, page, page_size)


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
