from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.db.models import Author, Case, Post
from monitor.ingest import store_posts
from monitor.sources.base import AuthorInfo, IncomingPost

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _post(ext: str, *, author: str = "1001", minutes: int = 0, **extra: object) -> IncomingPost:
    values: dict[str, object] = {
        "platform": "x",
        "external_id": ext,
        "kind": "mention",
        "author": AuthorInfo("x", author, f"user{author}", followers=10),
        "text": f"post {ext}",
        "created_at": T0 + timedelta(minutes=minutes),
    }
    values.update(extra)
    return IncomingPost(**values)  # type: ignore[arg-type]


def test_same_post_twice_is_stored_once(session: Session) -> None:
    first = store_posts(session, [_post("1789012345678901234"), _post("1789012345678901234")])
    second = store_posts(session, [_post("1789012345678901234")])
    session.commit()
    assert len(first.new_post_ids) == 1 and first.duplicates == 1
    assert second.new_post_ids == [] and second.duplicates == 1
    stored = session.scalars(select(Post)).all()
    assert [p.external_id for p in stored] == ["1789012345678901234"]  # 64-bit id kept exact
    assert stored[0].created_at == T0 and stored[0].created_at.tzinfo is not None


def test_posts_of_one_author_share_a_case_and_reply_stops_the_clock(session: Session) -> None:
    store_posts(session, [_post("1", minutes=0), _post("2", minutes=5), _post("3", author="2002")])
    reply = _post("4", author="brand", minutes=20, inbound=False, kind="reply", in_reply_to_id="2")
    store_posts(session, [reply])
    session.commit()
    assert session.scalar(select(func.count(Case.id))) == 2
    case = session.scalars(select(Case).join(Author).where(Author.external_id == "1001")).one()
    assert [p.external_id for p in case.posts] == ["1", "2", "4"]
    assert case.first_response_at == T0 + timedelta(minutes=20)
    assert case.status == "waiting" and case.sla_due_at is None


def test_author_reach_is_refreshed(session: Session) -> None:
    store_posts(session, [_post("1")])
    grown = AuthorInfo("x", "1001", "user1001", followers=52_000, verified=True)
    store_posts(session, [replace(_post("2", minutes=1), author=grown)])
    session.commit()
    author = session.scalars(select(Author)).one()
    assert author.followers == 52_000 and author.verified
