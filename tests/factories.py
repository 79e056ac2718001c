"""Small builders for rows the tests need (real rows in a real database, nothing faked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from monitor.db.models import Post, Score
from monitor.ingest import store_posts
from monitor.sources.base import AuthorInfo, IncomingPost

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def add_scored_post(
    session: Session,
    external_id: str,
    text: str,
    urgency: float,
    *,
    author: str = "1001",
    platform: str = "x",
    kind: str = "mention",
    intent: str = "other",
    followers: int = 10,
    minutes: int = 0,
    topics: str | None = None,
    language: str = "en",
) -> Post:
    """Store a post through the real ingest path, then give it a known score."""
    incoming = IncomingPost(
        platform=platform,
        external_id=external_id,
        kind=kind,
        author=AuthorInfo(platform, author, f"user{author}", followers=followers),
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
    )
    [post_id] = store_posts(session, [incoming]).new_post_ids
    post = session.get_one(Post, post_id)
    session.add(
        Score(
            post=post,
            model_version="fixture",
            negative=0.5,
            neutral=0.3,
            positive=0.2,
            urgency=urgency,
            intent=intent,
            topics=intent if topics is None else topics,
            language=language,
            language_supported=language == "en",
            factors={"negative": urgency},
            explanation=f"negative 0.50 ({external_id})",
        )
    )
    assert post.case is not None
    post.case.priority = max(post.case.priority, urgency)
    post.case.intent = intent
    session.flush()
    return post
