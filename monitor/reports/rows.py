"""Report rows, streamed: one tuple per case or per post, a bounded batch in memory at a time.

Money columns say what happened, never more: `executed_amount` is what was carried out,
`pending_amount` what still waits for an approval or for the order system; rejected requests
count in neither. Amounts in different currencies are never added up.

Cases are read in keyset pages (`id > last ORDER BY id LIMIT n`) with their posts, orders and
resolutions fetched per page; posts are one query read with `yield_per` (a server-side cursor
on PostgreSQL). Neither ever holds the whole table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from sqlalchemy import ColumnElement, and_, func, select, union_all
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, aliased

from monitor.cases.policy import ACTION_LABELS, MONETARY
from monitor.cases.sla import SlaPolicy
from monitor.db.models import (
    Author,
    Case,
    CaseNote,
    CaseOrderLink,
    ModelFeedback,
    OutboxMessage,
    Post,
    Resolution,
    Score,
    User,
)
from monitor.vocab import DONE_CASE_STATUSES, ResolutionKind, ResolutionStatus

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
        ("resolution_types", "text"), ("executed_amount", "float"),
        ("pending_amount", "float"), ("currency", "text"), ("approver_chain", "text"),
        ("agent", "text"), ("linked_orders", "id"), ("outcome", "text"),
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


def _post_fields() -> dict[str, Any]:
    """Each post column's name and the SQL that fills it. Rows are read by these names, so
    reordering this query (or the columns) can never put a value under another heading."""
    direction = _team_feedback("urgency", ModelFeedback.urgency_direction)
    return {
        "post_id": Post.id, "platform_post_id": Post.external_id, "platform": Post.platform,
        "channel": Post.kind, "source": Post.source, "case_id": Post.case_id,
        "author_platform_id": Author.external_id, "author_handle": Author.handle,
        "created_at_utc": Post.created_at, "inbound": Post.inbound, "urgency": Score.urgency,
        "intent": Score.intent, "negative": Score.negative, "complaint": Score.complaint,
        "severity": Score.severity, "model_version": Score.model_version,
        "topics": Score.topics, "language": Score.language,
        "team_intent": _team_feedback("intent", ModelFeedback.intent),
        "team_urgency": sql_case(
            (direction > 0, "more urgent"), (direction < 0, "less urgent"), else_=None
        ),
        "conversation_id": Post.conversation_id, "in_reply_to_id": Post.in_reply_to_id,
        "text": Post.text,
    }  # fmt: skip


def post_rows(session: Session, since: datetime | None, until: datetime | None) -> Iterator[Row]:
    """One tuple per post in POST_COLUMNS order."""
    fields = _post_fields()
    query = (
        select(*(fields[column.name].label(column.name) for column in POST_COLUMNS))
        .select_from(Post)
        .join(Author, Author.id == Post.author_id)
        .outerjoin(Score, Score.post_id == Post.id)
        .where(_range(Post.created_at, since, until))
        .order_by(Post.id)
        .execution_options(yield_per=5000)
    )
    for row in session.execute(query):
        values = row._mapping
        yield tuple(values[column.name] for column in POST_COLUMNS)


class PostFact(NamedTuple):
    kind: str
    inbound: bool
    created_at: datetime
    urgency: float | None


class ResolutionFact(NamedTuple):
    action: ResolutionKind
    amount: Decimal | None
    currency: str
    status: ResolutionStatus
    requester: str
    decider: str | None


EXECUTED, REJECTED = ResolutionStatus.EXECUTED, ResolutionStatus.REJECTED
# Granted but not carried out yet: waiting for approval, or for the outside order system.
PENDING_STATUSES = (ResolutionStatus.PENDING_APPROVAL, ResolutionStatus.APPROVED)


def case_rows(
    session: Session,
    since: datetime | None,
    until: datetime | None,
    sla: SlaPolicy,
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
        ids = [row.Case.id for row in page]
        posts = _posts_by_case(session, ids)
        orders = _orders_by_case(session, ids)
        resolutions = _resolutions_by_case(session, ids)
        workers = _workers_by_case(session, ids)
        for row in page:
            case = row.Case
            values = _case_values(
                case, posts.get(case.id, []), resolutions.get(case.id, []), sla, now
            ) | {
                "author_platform_id": row.external_id,
                "author_handle": row.handle,
                "agent": row.username or "; ".join(workers.get(case.id, [])),
                "linked_orders": "; ".join(orders.get(case.id, [])),
            }
            yield tuple(values[column.name] for column in CASE_COLUMNS)
        last = ids[-1]
        session.expunge_all()  # keep the identity map from growing page after page


def _posts_by_case(session: Session, ids: Sequence[int]) -> dict[int, list[PostFact]]:
    query = (
        select(Post.case_id, Post.kind, Post.inbound, Post.created_at, Score.urgency)
        .outerjoin(Score, Score.post_id == Post.id)
        .where(Post.case_id.in_(ids))
        .order_by(Post.case_id, Post.created_at, Post.id)
    )
    grouped: dict[int, list[PostFact]] = defaultdict(list)
    for row in session.execute(query):
        grouped[int(row.case_id or 0)].append(
            PostFact(row.kind, row.inbound, row.created_at, row.urgency)
        )
    return grouped


def _orders_by_case(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    query = (
        select(CaseOrderLink.case_id, CaseOrderLink.order_id)
        .where(CaseOrderLink.case_id.in_(ids))
        .order_by(CaseOrderLink.case_id, CaseOrderLink.linked_at, CaseOrderLink.id)
    )
    grouped: dict[int, list[str]] = defaultdict(list)
    for row in session.execute(query):
        grouped[row.case_id].append(row.order_id)
    return grouped


def _resolutions_by_case(session: Session, ids: Sequence[int]) -> dict[int, list[ResolutionFact]]:
    requester, decider = aliased(User), aliased(User)
    query = (
        select(
            Resolution.case_id, Resolution.action, Resolution.amount, Resolution.currency,
            Resolution.status, requester.username.label("requester"),
            decider.username.label("decider"),
        )
        .join(requester, requester.id == Resolution.requested_by)
        .outerjoin(decider, decider.id == Resolution.decided_by)
        .where(Resolution.case_id.in_(ids))
        .order_by(Resolution.case_id, Resolution.requested_at, Resolution.id)
    )  # fmt: skip
    grouped: dict[int, list[ResolutionFact]] = defaultdict(list)
    for row in session.execute(query):
        grouped[row.case_id].append(
            ResolutionFact(row.action, row.amount, row.currency, row.status, row.requester,
                           row.decider)
        )  # fmt: skip
    return grouped


def _workers_by_case(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Staff who acted on each unassigned case (replied, noted, linked, asked for a
    resolution), in the order they first did."""
    acts = union_all(
        select(OutboxMessage.case_id, OutboxMessage.author_id.label("user_id"),
               OutboxMessage.created_at.label("at")).where(OutboxMessage.case_id.in_(ids)),
        select(CaseNote.case_id, CaseNote.author_id, CaseNote.created_at)
        .where(CaseNote.case_id.in_(ids)),
        select(CaseOrderLink.case_id, CaseOrderLink.linked_by, CaseOrderLink.linked_at)
        .where(CaseOrderLink.case_id.in_(ids), CaseOrderLink.linked_by.is_not(None)),
        select(Resolution.case_id, Resolution.requested_by, Resolution.requested_at)
        .where(Resolution.case_id.in_(ids)),
    ).subquery()  # fmt: skip
    query = (
        select(acts.c.case_id, User.username)
        .join(User, User.id == acts.c.user_id)
        .order_by(acts.c.case_id, acts.c.at)
    )
    grouped: dict[int, list[str]] = defaultdict(list)
    for row in session.execute(query):
        if row.username not in grouped[row.case_id]:
            grouped[row.case_id].append(row.username)
    return grouped


def sla_due(case: Case, posts: Sequence[PostFact], sla: SlaPolicy) -> datetime | None:
    """The case's first-response deadline, as ingest and the score roll-up set it (a brand
    reply clears `sla_due_at`, so answered cases are recomputed from their posts)."""
    due: datetime | None = None
    for post in posts:
        if not post.inbound or (
            case.first_response_at and post.created_at > case.first_response_at
        ):
            continue
        if due is None:
            due = sla.due(post.created_at, post.kind)
        due = sla.tightened(due, post.created_at, post.kind, post.urgency)
    return due or case.sla_due_at


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 1)


def _sla_state(case: Case, due: datetime | None, now: datetime) -> str:
    return "" if due is None else SlaPolicy.outcome(due, case.first_response_at, now).value


def approval_step(r: ResolutionFact) -> str:
    """One resolution's path as it happened: who asked and who, if anyone, decided."""
    if r.status == ResolutionStatus.PENDING_APPROVAL:
        return f"{r.requester} -> awaiting approval"
    if r.decider is None:
        return f"{r.requester} (own clearance)"
    verdict = "rejected" if r.status == REJECTED else "approved"
    return f"{r.requester} -> {r.decider} ({verdict})"


def _money(resolutions: Sequence[ResolutionFact]) -> dict[str, Any]:
    monetary = [r for r in resolutions if r.action in MONETARY and r.amount is not None]
    counted = [r for r in monetary if r.status == EXECUTED or r.status in PENDING_STATUSES]
    currencies = sorted({r.currency for r in counted})
    if len(currencies) > 1:  # adding dollars to euros would state a sum nobody owes
        return {"executed_amount": None, "pending_amount": None, "currency": "; ".join(currencies)}

    def total(statuses: Sequence[str]) -> float | None:
        amounts = [r.amount for r in counted if r.status in statuses and r.amount is not None]
        return float(sum(amounts, Decimal(0))) if monetary else None

    return {
        "executed_amount": total((EXECUTED,)),
        "pending_amount": total(PENDING_STATUSES),
        "currency": currencies[0] if currencies else "",
    }


def outcome(status: str, resolutions: Sequence[ResolutionFact]) -> str:
    """What the case came to, never ahead of its status: an open case has no outcome yet."""
    done = [ACTION_LABELS[r.action] for r in resolutions if r.status == EXECUTED]
    waiting = [ACTION_LABELS[r.action] for r in resolutions if r.status in PENDING_STATUSES]
    if status in DONE_CASE_STATUSES:
        result = f"{status}: " + (", ".join(done) + " executed" if done else "no resolution")
    else:
        result = f"unresolved ({status})"
        if done:
            result += "; so far " + ", ".join(done) + " executed"
    if waiting:
        result += "; awaiting " + ", ".join(waiting)
    return result


def _case_values(
    case: Case,
    posts: Sequence[PostFact],
    resolutions: Sequence[ResolutionFact],
    sla: SlaPolicy,
    now: datetime,
) -> dict[str, Any]:
    inbound = [p for p in posts if p.inbound]
    scored = [p.urgency for p in inbound if p.urgency is not None]
    due = sla_due(case, posts, sla)
    return {
        "case_id": case.id,
        "platform": case.platform,
        "channel": inbound[0].kind if inbound else "",
        "intent": case.intent or "",
        "status": case.status,
        "first_urgency": scored[0] if scored else None,
        "peak_urgency": max(scored) if scored else None,
        "posts": len(posts),
        "received_at_utc": case.opened_at,
        "first_response_at_utc": case.first_response_at,
        "resolved_at_utc": case.resolved_at,
        "sla_due_at_utc": due,
        "sla": _sla_state(case, due, now),
        "first_response_minutes": _minutes(case.opened_at, case.first_response_at),
        "resolution_minutes": _minutes(case.opened_at, case.resolved_at),
        "resolution_types": "; ".join(r.action for r in resolutions),
        "approver_chain": "; ".join(approval_step(r) for r in resolutions),
        "outcome": outcome(case.status, resolutions),
    } | _money(resolutions)
