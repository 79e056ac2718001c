"""Read models for the case and approval pages: plain dataclasses, loaded in a few queries,
so pages format values and never touch the ORM or SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from monitor.cases.orders import case_customer
from monitor.db.models import (
    Author,
    Case,
    CaseNote,
    Customer,
    Order,
    OrderCall,
    OutboxMessage,
    Post,
    Resolution,
    Score,
    User,
)
from monitor.errors import UserFacingError
from monitor.vocab import (
    CallStatus,
    CaseStatus,
    Platform,
    PostKind,
    ReplyChannel,
    ResolutionKind,
    ResolutionStatus,
    Role,
)


@dataclass(frozen=True)
class ThreadItem:
    at: datetime
    who: str
    channel: ReplyChannel
    kind: PostKind
    text: str
    inbound: bool
    urgency: float | None = None
    status: CallStatus | None = None  # outbox messages only
    third_party: bool = False  # someone else's reply under the customer's post
    outbox_id: int | None = None
    error: str | None = None  # why the last send attempt failed


@dataclass(frozen=True)
class CustomerView:
    id: int
    name: str
    email: str | None
    phone: str | None
    how_known: str


@dataclass(frozen=True)
class ResolutionView:
    id: int
    case_id: int
    action: ResolutionKind
    amount: Decimal | None
    currency: str
    order_id: str | None
    status: ResolutionStatus
    requested_by: str
    requested_by_id: int
    requested_at: datetime
    reason: str
    decided_by: str | None
    decision_reason: str | None
    reference: str | None
    details: dict[str, Any] = field(default_factory=dict)
    order_value: Decimal | None = None
    order_call: CallStatus | None = None  # outside order systems only
    order_call_error: str | None = None
    order_call_attempts: int = 0


@dataclass(frozen=True)
class NoteView:
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class CaseDetail:
    id: int
    platform: Platform
    status: CaseStatus
    intent: str | None
    priority: float
    opened_at: datetime
    last_post_at: datetime
    sla_due_at: datetime | None
    assignee: str | None
    author_handle: str
    author_name: str | None
    followers: int
    verified: bool
    customer: CustomerView | None
    thread: list[ThreadItem]
    factors: dict[str, float]
    explanation: str
    notes: list[NoteView]
    resolutions: list[ResolutionView]
    topics: tuple[str, ...] = ()  # of the most urgent post
    language: str = "en"  # of the most urgent post


def _resolution_views(session: Session, *conditions: Any) -> list[ResolutionView]:
    requester, decider = aliased(User), aliased(User)
    rows = session.execute(
        select(Resolution, requester.username, decider.username, Order.value, OrderCall)
        .join(requester, requester.id == Resolution.requested_by)
        .outerjoin(decider, decider.id == Resolution.decided_by)
        .outerjoin(Order, Order.id == Resolution.order_id)
        .outerjoin(OrderCall, OrderCall.resolution_id == Resolution.id)
        .where(*conditions)
        .order_by(Resolution.requested_at, Resolution.id)
    ).all()
    return [
        ResolutionView(
            id=r.id,
            case_id=r.case_id,
            action=r.action,
            amount=r.amount,
            currency=r.currency,
            order_id=r.order_id,
            status=r.status,
            requested_by=by,
            requested_by_id=r.requested_by,
            requested_at=r.requested_at,
            reason=r.reason,
            decided_by=dec,
            decision_reason=r.decision_reason,
            reference=r.external_reference,
            details=dict(r.details or {}),
            order_value=value,
            order_call=call.status if call else None,
            order_call_error=call.error if call else None,
            order_call_attempts=call.attempts if call else 0,
        )
        for r, by, dec, value, call in rows
    ]


def pending_approvals(session: Session) -> list[ResolutionView]:
    return _resolution_views(session, Resolution.status == ResolutionStatus.PENDING_APPROVAL)


def case_resolutions(session: Session, case_id: int) -> list[ResolutionView]:
    return _resolution_views(session, Resolution.case_id == case_id)


def case_detail(session: Session, case_id: int) -> CaseDetail:
    case = _load_case(session, case_id)
    posts = session.execute(
        select(Post, Score)
        .options(selectinload(Post.author))
        .outerjoin(Score, Score.post_id == Post.id)
        .where(Post.case_id == case_id)
        .order_by(Post.created_at, Post.id)
    ).all()
    # Posts and our replies in one timeline; a stable sort keeps same-second posts in order.
    thread = sorted(
        [*(_post_item(case, post, score) for post, score in posts), *_reply_items(session, case)],
        key=lambda item: item.at,
    )
    scored = [score for _, score in posts if score is not None]
    top = max(scored, key=lambda score: score.urgency) if scored else None
    customer, how = case_customer(session, case)
    assignee = session.get(User, case.assignee_id) if case.assignee_id else None
    return CaseDetail(
        id=case.id,
        platform=case.platform,
        status=case.status,
        intent=case.intent,
        priority=case.priority,
        opened_at=case.opened_at,
        last_post_at=case.last_post_at,
        sla_due_at=case.sla_due_at,
        assignee=assignee.username if assignee else None,
        author_handle=case.author.handle,
        author_name=case.author.display_name,
        followers=case.author.followers,
        verified=case.author.verified,
        customer=_customer_view(customer, how),
        thread=thread,
        factors={k: float(v) for k, v in (top.factors or {}).items()} if top else {},
        explanation=top.explanation if top else "",
        notes=_notes(session, case),
        resolutions=case_resolutions(session, case_id),
        topics=tuple(t for t in (top.topics or "").split(";") if t) if top else (),
        language=top.language if top else "en",
    )


def _load_case(session: Session, case_id: int) -> Case:
    case = session.scalars(
        select(Case)
        .options(selectinload(Case.author).selectinload(Author.customer))
        .where(Case.id == case_id)
    ).first()
    if case is None:
        raise UserFacingError(f"no case {case_id}")
    return case


def _post_item(case: Case, post: Post, score: Score | None) -> ThreadItem:
    return ThreadItem(
        at=post.created_at,
        who=_who(case, post),
        channel=ReplyChannel.DM if post.kind == PostKind.DM else ReplyChannel.PUBLIC,
        kind=post.kind,
        text=post.text,
        inbound=post.inbound,
        urgency=score.urgency if score else None,
        third_party=post.third_party,
    )


def _reply_items(session: Session, case: Case) -> list[ThreadItem]:
    """Our replies from the outbox, with their delivery status and any error."""
    outbox = session.execute(
        select(OutboxMessage, User.username)
        .join(User, User.id == OutboxMessage.author_id)
        .where(OutboxMessage.case_id == case.id)
    ).all()
    return [
        ThreadItem(
            at=m.created_at,
            who=f"{name} (us)",
            channel=m.channel,
            kind=PostKind.REPLY,
            text=m.text,
            inbound=False,
            status=m.status,
            outbox_id=m.id,
            error=m.error,
        )
        for m, name in outbox
    ]


def _notes(session: Session, case: Case) -> list[NoteView]:
    notes = session.execute(
        select(CaseNote, User.username)
        .join(User, User.id == CaseNote.author_id)
        .where(CaseNote.case_id == case.id)
        .order_by(CaseNote.created_at)
    ).all()
    return [NoteView(n.created_at, name, n.text) for n, name in notes]


def _who(case: Case, post: Post) -> str:
    if post.third_party:
        return f"@{post.author.handle} (not us, not the customer)"
    return f"@{case.author.handle}" if post.inbound else "brand"


def _customer_view(customer: Customer | None, how: str) -> CustomerView | None:
    if customer is None:
        return None
    return CustomerView(customer.id, customer.name, customer.email, customer.phone, how)


def user_names(session: Session, *, active_only: bool = True) -> list[str]:
    """Usernames of people who can work cases, for assignment pickers."""
    query = select(User.username).where(User.role != Role.ANALYST).order_by(User.username)
    if active_only:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))
