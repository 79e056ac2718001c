"""Thread posts into cases: one open case per author and platform.

A care team works people, not single posts: a customer who tweets, then DMs, then tweets
again is one case whose priority is the most urgent thing they said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.db.models import Case, Post

OPEN_STATUSES = ("new", "open", "waiting")


@dataclass(frozen=True)
class SlaPolicy:
    hours_public: float = 1.0
    hours_private: float = 4.0

    def due(self, post: Post) -> datetime:
        hours = self.hours_private if post.kind == "dm" else self.hours_public
        return post.created_at + timedelta(hours=hours)


def attach_to_cases(session: Session, posts: Sequence[Post], sla: SlaPolicy) -> None:
    """Give each new post a case; brand replies mark their case as answered."""
    open_cases: dict[tuple[str, int], Case] = {}
    for post in sorted(posts, key=lambda p: (p.created_at, p.id)):
        if post.inbound:
            _attach_inbound(session, post, sla, open_cases)
        else:
            _attach_reply(session, post)
    session.flush()


def _attach_inbound(
    session: Session, post: Post, sla: SlaPolicy, open_cases: dict[tuple[str, int], Case]
) -> None:
    key = (post.platform, post.author_id)
    case = open_cases.get(key)
    if case is None:
        case = session.scalars(
            select(Case)
            .where(
                Case.platform == post.platform,
                Case.author_id == post.author_id,
                Case.status.in_(OPEN_STATUSES),
            )
            .order_by(Case.opened_at.desc())
            .limit(1)
        ).first()
    if case is None:
        case = Case(
            platform=post.platform,
            author_id=post.author_id,
            status="new",
            opened_at=post.created_at,
            last_post_at=post.created_at,
            sla_due_at=sla.due(post),
        )
        session.add(case)
    else:
        if case.status == "waiting":  # the customer wrote back: the clock runs again
            case.status = "open"
            case.sla_due_at = sla.due(post)
        elif case.sla_due_at is None:
            case.sla_due_at = sla.due(post)
        case.last_post_at = max(case.last_post_at, post.created_at)
    open_cases[key] = case
    post.case = case


def _attach_reply(session: Session, post: Post) -> None:
    """A brand post joins the case of the post it answers and stops that case's SLA clock."""
    if not post.in_reply_to_id:
        return
    parent = session.scalars(
        select(Post).where(Post.platform == post.platform, Post.external_id == post.in_reply_to_id)
    ).first()
    if parent is None or parent.case is None:
        return
    case = parent.case
    post.case = case
    if case.first_response_at is None:
        case.first_response_at = post.created_at
    if case.status in ("new", "open"):
        case.status = "waiting"
    case.sla_due_at = None
    case.last_post_at = max(case.last_post_at, post.created_at)
