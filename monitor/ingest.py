"""Store incoming posts exactly once and thread them into cases.

One call is one transaction's worth of work; the caller commits it together with the
source's cursor, so a crash can never store posts without moving the cursor or vice versa.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from monitor.cases.sla import SlaPolicy
from monitor.cases.threads import attach_to_cases
from monitor.db import dialect
from monitor.db.models import Author, Post
from monitor.db.types import utcnow
from monitor.db.upsert import insert_ignoring_duplicates
from monitor.sources.base import AuthorInfo, IncomingPost

BATCH = 500  # rows per INSERT: well under SQLite's 32k bound-parameter limit


@dataclass
class IngestResult:
    new_post_ids: list[int] = field(default_factory=list)
    duplicates: int = 0

    def merge(self, other: IngestResult) -> None:
        self.new_post_ids.extend(other.new_post_ids)
        self.duplicates += other.duplicates


def store_posts(
    session: Session, posts: Iterable[IncomingPost], sla: SlaPolicy | None = None
) -> IngestResult:
    sla = sla or SlaPolicy()
    result = IngestResult()
    batch: list[IncomingPost] = []
    for post in posts:
        batch.append(post)
        if len(batch) >= BATCH:
            result.merge(_store_batch(session, batch, sla))
            batch = []
    if batch:
        result.merge(_store_batch(session, batch, sla))
    return result


def _store_batch(session: Session, posts: Sequence[IncomingPost], sla: SlaPolicy) -> IngestResult:
    # The same post twice in one batch (a page boundary shifting) counts as a duplicate too.
    unique = list({(p.platform, p.external_id): p for p in posts}.values())
    author_ids = upsert_authors(session, [p.author for p in unique])
    rows = post_rows(unique, author_ids, utcnow())
    table = cast(Table, Post.__table__)
    inserted = insert_ignoring_duplicates(session, table, rows, ["platform", "external_id"])
    new_ids = sorted(row[0] for row in inserted)
    if new_ids:
        new_posts = session.scalars(
            select(Post).where(Post.id.in_(new_ids)).order_by(Post.created_at, Post.id)
        ).all()
        attach_to_cases(session, list(new_posts), sla)
    return IngestResult(new_post_ids=new_ids, duplicates=len(posts) - len(new_ids))


def post_rows(
    posts: Sequence[IncomingPost], author_ids: dict[tuple[str, str], int], now: datetime
) -> list[dict[str, Any]]:
    """Insert parameters for the posts table (shared with third-party replies)."""
    return [
        {
            "platform": p.platform,
            "external_id": p.external_id,
            "kind": p.kind,
            "source": p.source,
            "author_id": author_ids[(p.author.platform, p.author.external_id)],
            "text": p.text,
            "inbound": p.inbound,
            "created_at": p.created_at,
            "ingested_at": now,
            "conversation_id": p.conversation_id,
            "in_reply_to_id": p.in_reply_to_id,
            "raw": p.raw,
        }
        for p in posts
    ]


def upsert_authors(session: Session, authors: Sequence[AuthorInfo]) -> dict[tuple[str, str], int]:
    """Insert unknown authors and refresh reach (followers, verified) of known ones."""
    latest = {(a.platform, a.external_id): a for a in authors}
    # A fixed row order keeps concurrent upserts on PostgreSQL from deadlocking.
    ordered = [latest[key] for key in sorted(latest)]
    rows = [
        {
            "platform": a.platform,
            "external_id": a.external_id,
            "handle": a.handle,
            "display_name": a.display_name,
            "followers": a.followers,
            "verified": a.verified,
        }
        for a in ordered
    ]
    table = Author.__table__
    upsert = dialect.insert(session, table)
    statement = upsert.on_conflict_do_update(
        index_elements=["platform", "external_id"],
        set_={
            "handle": upsert.excluded.handle,
            "followers": upsert.excluded.followers,
            "verified": upsert.excluded.verified,
        },
    ).returning(table.c.id, table.c.platform, table.c.external_id)
    ids = {(platform, ext): id_ for id_, platform, ext in session.execute(statement, rows)}
    # RETURNING rows of an upsert are not tied to ORM identities; drop stale cached authors.
    session.expire_all()
    return ids
