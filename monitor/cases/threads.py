"""Thread posts into cases: one open case per author and platform.

A care team works people, not single posts: a customer who tweets, then DMs, then tweets
again is one case whose priority is the most urgent thing they said.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from monitor.cases.sla import SlaPolicy
from monitor.db.models import Case, Post
from monitor.vocab import OPEN_CASE_STATUSES, CaseStatus


def attach_to_cases(session: Session, posts: Sequence[Post], sla: SlaPolicy) -> None:
    """Give each new post a case; brand replies mark their case as answered.

    Open cases and replied-to posts are loaded for the whole batch in two queries, so a
    100k-post replay costs a few queries per batch, not several per post.
    """
    open_cases = _open_cases(session, [p for p in posts if p.inbound])
    parents = _parents(session, [p for p in posts if not p.inbound and p.in_reply_to_id])
    chosen: dict[int, Case] = {}  # post id -> case
    for post in sorted(posts, key=lambda p: (p.created_at, p.id)):
        case: Case | None
        if post.inbound:
            case = _attach_inbound(session, post, sla, open_cases)
            parents[(post.platform, post.external_id)] = post
        else:
            parent = parents.get((post.platform, post.in_reply_to_id or ""))
            case = _attach_reply(chosen.get(parent.id) if parent else None, parent, post)
        if case is not None:
            chosen[post.id] = case
    session.flush()  # new cases get their ids
    if chosen:
        # One executemany UPDATE by primary key instead of the unit of work's row-by-row
        # bookkeeping; the loaded posts are told their new value so they stay consistent.
        session.execute(
            update(Post), [{"id": pid, "case_id": case.id} for pid, case in chosen.items()]
        )
        for post in posts:
            if post.id in chosen:
                set_committed_value(post, "case_id", chosen[post.id].id)


def _open_cases(session: Session, posts: Sequence[Post]) -> dict[tuple[str, int], Case]:
    author_ids = {p.author_id for p in posts}
    if not author_ids:
        return {}
    found: dict[tuple[str, int], Case] = {}
    query = (
        select(Case)
        .where(Case.author_id.in_(author_ids), Case.status.in_(OPEN_CASE_STATUSES))
        .order_by(Case.opened_at)
    )
    for case in session.scalars(query):
        found[(case.platform, case.author_id)] = case  # the latest opened wins
    return found


def _parents(session: Session, replies: Sequence[Post]) -> dict[tuple[str, str], Post]:
    keys = {(p.platform, p.in_reply_to_id) for p in replies if p.in_reply_to_id}
    if not keys:
        return {}
    ids = {external_id for _, external_id in keys}
    query = select(Post).where(Post.external_id.in_(ids))
    return {
        (p.platform, p.external_id): p
        for p in session.scalars(query)
        if (p.platform, p.external_id) in keys
    }


def _attach_inbound(
    session: Session, post: Post, sla: SlaPolicy, open_cases: dict[tuple[str, int], Case]
) -> Case:
    key = (post.platform, post.author_id)
    case = open_cases.get(key)
    if case is None:
        case = Case(
            platform=post.platform,
            author_id=post.author_id,
            status=CaseStatus.NEW,
            opened_at=post.created_at,
            last_post_at=post.created_at,
            sla_due_at=sla.due(post.created_at, post.kind),
        )
        session.add(case)
    else:
        if case.status == CaseStatus.WAITING:  # the customer wrote back: the clock runs again
            case.status = CaseStatus.OPEN
            case.sla_due_at = sla.due(post.created_at, post.kind)
        elif case.sla_due_at is None:
            case.sla_due_at = sla.due(post.created_at, post.kind)
        case.last_post_at = max(case.last_post_at, post.created_at)
    open_cases[key] = case
    return case


def _attach_reply(case: Case | None, parent: Post | None, post: Post) -> Case | None:
    """A brand post joins the case of the post it answers and stops that case's SLA clock.

    `case` is the parent's case when the parent arrived in this same batch."""
    if case is None and parent is not None:
        case = parent.case
    if case is None:
        return None
    if case.first_response_at is None:
        case.first_response_at = post.created_at
    if case.status in (CaseStatus.NEW, CaseStatus.OPEN):
        case.status = CaseStatus.WAITING
    case.sla_due_at = None
    case.last_post_at = max(case.last_post_at, post.created_at)
    return case
