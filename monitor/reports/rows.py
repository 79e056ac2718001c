"""Report rows, streamed: one tuple per case or per post, a bounded batch in memory at a time.

Cases are read in keyset pages (`id > last ORDER BY id LIMIT n`) with their posts, orders and
resolutions fetched per page; posts are one query read with `yield_per` (a server-side cursor
on PostgreSQL). Neither ever holds the whole table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, aliased

from monitor.db.models import (
    Author,
    Case,
    CaseOrderLink,
    ModelFeedback,
    Post,
    Resolution,
    Score,
    User,
)

Kind = Literal["int", "float", "text", "id", "time", "bool"]  # id: a platform id, always text
Row = tuple[Any, ...]
CASE_PAGE = 1000


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind


CASE_COLUMNS = tuple(
    Column(n, k)  # type: ignore[arg-type]
    for n, k in (
        ("case_id", "int"), ("platform", "text"), ("channel", "text"), ("intent", "text"),
        ("author_platform_id", "id"), ("author_handle", "text"), ("status", "text"),
        ("first_urgency", "float"), ("peak_urgency", "float"), ("posts", "int"),
        ("received_at_utc", "time"), ("first_response_at_utc", "time"),
        ("resolved_at_utc", "time"), ("sla_due_at_utc", "time"), ("sla", "text"),
        ("first_response_minutes", "float"), ("resolution_minutes", "float"),
        ("resolution_types", "text"), ("resolution_amount", "float"), ("currency", "text"),
        ("approver_chain", "text"), ("agent", "text"), ("linked_orders", "id"),
        ("outcome", "text"),
    )
)  # fmt: skip
POST_COLUMNS = tuple(
    Column(n, k)  # type: ignore[arg-type]
    for n, k in (
        ("post_id", "int"), ("platform_post_id", "id"), ("platform", "text"),
        ("channel", "text"), ("source", "text"), ("case_id", "int"),
        ("author_platform_id", "id"), ("author_handle", "text"), ("created_at_utc", "time"),
        ("inbound", "bool"), ("urgency", "float"), ("intent", "text"), ("negative", "float"),
        ("complaint", "float"), ("severity", "float"), ("model_version", "text"),
        ("topics", "text"), ("language", "text"), ("team_intent", "text"),
        ("team_urgency", "text"),
        ("conversation_id", "id"), ("in_reply_to_id", "id"), ("text", "text"),
    )
)  # fmt: skip


@dataclass(frozen=True)
class SlaRules:
    hours_public: float = 1.0
    hours_private: float = 4.0
    critical_urgency: float = 80.0

    def hours(self, kind: str) -> float:
        return self.hours_private if kind == "dm" else self.hours_public


def _range(column: Any, since: datetime | None, until: datetime | None) -> ColumnElement[bool]:
    clauses = [column >= since] if since else []
    if until:
        clauses.append(column < until)
    return and_(True, *clauses)


def count_cases(session: Session, since: datetime | None, until: datetime | None) -> int:
    query = select(func.count(Case.id)).where(_range(Case.opened_at, since, until))
    return int(session.scalar(query) or 0)


def count_posts(session: Session, since: datetime | None, until: datetime | None) -> int:
    query = select(func.count(Post.id)).where(_range(Post.created_at, since, until))
    return int(session.scalar(query) or 0)


def _team_feedback(kind: str, column: Any) -> Any:
    """The latest correction of this kind that an agent made on the post (see
    monitor/cases/feedback.py), or NULL."""
    return (
        select(column)
        .where(ModelFeedback.post_id == Post.id, ModelFeedback.kind == kind)
        .order_by(ModelFeedback.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def post_rows(session: Session, since: datetime | None, until: datetime | None) -> Iterator[Row]:
    direction = _team_feedback("urgency", ModelFeedback.urgency_direction)
    query = (
        select(
            Post.id, Post.external_id, Post.platform, Post.kind, Post.source, Post.case_id,
            Author.external_id, Author.handle, Post.created_at, Post.inbound, Score.urgency,
            Score.intent, Score.negative, Score.complaint, Score.severity, Score.model_version,
            Score.topics, Score.language, _team_feedback("intent", ModelFeedback.intent),
            sql_case((direction > 0, "more urgent"), (direction < 0, "less urgent"), else_=None),
            Post.conversation_id, Post.in_reply_to_id, Post.text,
        )
        .join(Author, Author.id == Post.author_id)
        .outerjoin(Score, Score.post_id == Post.id)
        .where(_range(Post.created_at, since, until))
        .order_by(Post.id)
        .execution_options(yield_per=5000)
    )  # fmt: skip
    for row in session.execute(query):
        yield tuple(row)


def case_rows(
    session: Session,
    since: datetime | None,
    until: datetime | None,
    sla: SlaRules,
    now: datetime,
) -> Iterator[Row]:
    agent = aliased(User)
    last = 0
    while True:
        page = session.execute(
            select(Case, Author.external_id, Author.handle, agent.username)
            .join(Author, Author.id == Case.author_id)
            .outerjoin(agent, agent.id == Case.assignee_id)
            .where(Case.id > last, _range(Case.opened_at, since, until))
            .order_by(Case.id)
            .limit(CASE_PAGE)
        ).all()
        if not page:
            return
        ids = [case.id for case, *_ in page]
        posts = _posts_by_case(session, ids)
        orders = _orders_by_case(session, ids)
        resolutions = _resolutions_by_case(session, ids)
        for case, author_id, handle, username in page:
            yield _case_row(
                case, author_id, handle, username, posts.get(case.id, []),
                orders.get(case.id, []), resolutions.get(case.id, []), sla, now,
            )  # fmt: skip
        last = ids[-1]
        session.expunge_all()  # keep the identity map from growing page after page


def _posts_by_case(session: Session, ids: Sequence[int]) -> dict[int, list[Row]]:
    query = (
        select(Post.case_id, Post.kind, Post.inbound, Post.created_at, Score.urgency)
        .outerjoin(Score, Score.post_id == Post.id)
        .where(Post.case_id.in_(ids))
        .order_by(Post.case_id, Post.created_at, Post.id)
    )
    grouped: dict[int, list[Row]] = defaultdict(list)
    for case_id, *rest in session.execute(query):
        grouped[int(case_id or 0)].append(tuple(rest))
    return grouped


def _orders_by_case(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    query = (
        select(CaseOrderLink.case_id, CaseOrderLink.order_id)
        .where(CaseOrderLink.case_id.in_(ids))
        .order_by(CaseOrderLink.case_id, CaseOrderLink.linked_at, CaseOrderLink.id)
    )
    grouped: dict[int, list[str]] = defaultdict(list)
    for case_id, order_id in session.execute(query):
        grouped[case_id].append(order_id)
    return grouped


def _resolutions_by_case(session: Session, ids: Sequence[int]) -> dict[int, list[Row]]:
    requester, decider = aliased(User), aliased(User)
    query = (
        select(
            Resolution.case_id, Resolution.action, Resolution.amount, Resolution.currency,
            Resolution.status, requester.username, decider.username,
        )
        .join(requester, requester.id == Resolution.requested_by)
        .outerjoin(decider, decider.id == Resolution.decided_by)
        .where(Resolution.case_id.in_(ids))
        .order_by(Resolution.case_id, Resolution.requested_at, Resolution.id)
    )  # fmt: skip
    grouped: dict[int, list[Row]] = defaultdict(list)
    for case_id, *rest in session.execute(query):
        grouped[case_id].append(tuple(rest))
    return grouped


def sla_due(case: Case, posts: Sequence[Row], sla: SlaRules) -> datetime | None:
    """The case's first-response deadline, as the scoring pipeline set it (a brand reply
    clears `sla_due_at`, so answered cases are recomputed from their posts)."""
    due: datetime | None = None
    for kind, inbound, created_at, urgency in posts:
        if not inbound or (case.first_response_at and created_at > case.first_response_at):
            continue
        if due is None:
            due = created_at + timedelta(hours=sla.hours(kind))
        if urgency is not None and urgency >= sla.critical_urgency:
            due = min(due, created_at + timedelta(hours=sla.hours(kind) / 4))
    return due or case.sla_due_at


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 1)


def _case_row(
    case: Case, author_id: str, handle: str, agent: str | None, posts: Sequence[Row],
    orders: Sequence[str], resolutions: Sequence[Row], sla: SlaRules, now: datetime,
) -> Row:  # fmt: skip
    inbound = [p for p in posts if p[1]]
    scored = [p[3] for p in inbound if p[3] is not None]
    due = sla_due(case, posts, sla)
    responded = case.first_response_at
    if due is None:
        sla_state = ""
    elif responded is not None:
        sla_state = "met" if responded <= due else "missed"
    else:
        sla_state = "missed" if now > due else "open"
    kept = [r for r in resolutions if r[3] not in ("rejected", "cancelled", "failed")]
    amount = sum((r[1] for r in kept if r[1] is not None), Decimal(0))
    chain = "; ".join(f"{r[4]} -> {r[5]}" if r[5] else f"{r[4]} -> (pending)" for r in resolutions)
    outcome = case.status
    if resolutions:
        outcome += f": {resolutions[-1][0]} {resolutions[-1][3]}"
    return (
        case.id, case.platform, inbound[0][0] if inbound else "", case.intent or "",
        author_id, handle, case.status, scored[0] if scored else None,
        max(scored) if scored else None, len(posts), case.opened_at, responded,
        case.resolved_at, due, sla_state, _minutes(case.opened_at, responded),
        _minutes(case.opened_at, case.resolved_at), "; ".join(r[0] for r in resolutions),
        float(amount) if resolutions else None, kept[0][2] if kept else "", chain,
        agent or "", "; ".join(orders), outcome,
    )  # fmt: skip
