"""Report rows are read by column name: every value lands under its own heading."""

from __future__ import annotations

from datetime import timedelta

from casework import make_user
from factories import T0
from sqlalchemy.orm import Session

from monitor.cases.feedback import correct_intent, rate_urgency
from monitor.db.models import Post, Score
from monitor.ingest import store_posts
from monitor.reports.rows import POST_COLUMNS, post_rows
from monitor.sources.base import AuthorInfo, IncomingPost


def test_every_post_column_holds_its_own_value(session: Session) -> None:
    """Each field gets a value no other column has, so a query whose columns were reordered
    (or a row read by position after a change) fails here instead of mislabelling exports."""
    parent = IncomingPost(
        platform="facebook", external_id="9001", kind="comment",
        author=AuthorInfo("facebook", "a-77", "brand"), text="hello",
        created_at=T0 - timedelta(minutes=5), source="fb-main", inbound=False,
    )  # fmt: skip
    incoming = IncomingPost(
        platform="facebook", external_id="9002", kind="comment",
        author=AuthorInfo("facebook", "a-42", "dana.r"), text="still no refund",
        created_at=T0, source="fb-main", conversation_id="conv-5", in_reply_to_id="9001",
    )  # fmt: skip
    store_posts(session, [parent, incoming])
    post = session.query(Post).filter_by(external_id="9002").one()
    session.add(
        Score(
            post=post, model_version="m-3", negative=0.61, neutral=0.3, positive=0.09,
            complaint=0.72, severity=0.33, urgency=88.5, intent="refund", topics="refund;billing",
            language="es", language_supported=False, factors={}, explanation="",
        )
    )  # fmt: skip
    session.flush()
    assert post.case is not None
    ann = make_user(session, "ann", "agent")
    correct_intent(session, ann, post.case.id, "account_security")
    rate_urgency(session, ann, post.case.id, -1)
    session.commit()

    names = [column.name for column in POST_COLUMNS]
    rows = {row[1]: dict(zip(names, row, strict=True)) for row in post_rows(session, None, None)}
    assert rows["9002"] == {
        "post_id": post.id, "platform_post_id": "9002", "platform": "facebook",
        "channel": "comment", "source": "fb-main", "case_id": post.case.id,
        "author_platform_id": "a-42", "author_handle": "dana.r", "created_at_utc": T0,
        "inbound": True, "urgency": 88.5, "intent": "refund", "negative": 0.61,
        "complaint": 0.72, "severity": 0.33, "model_version": "m-3",
        "topics": "refund;billing", "language": "es", "team_intent": "account_security",
        "team_urgency": "less urgent", "conversation_id": "conv-5", "in_reply_to_id": "9001",
        "text": "still no refund",
    }  # fmt: skip
