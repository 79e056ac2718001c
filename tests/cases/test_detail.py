"""The case page's data: one timeline of posts and our replies, the top post's explanation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from casework import make_user
from factories import T0, add_scored_post
from sqlalchemy.orm import Session

from monitor.cases.actions import add_note
from monitor.cases.detail import case_detail
from monitor.cases.replies import queue_reply
from monitor.errors import UserFacingError
from monitor.submissions import new_key


def test_timeline_replies_notes_and_the_most_urgent_posts_explanation(session: Session) -> None:
    first = add_scored_post(session, "1", "my parcel is late", 40, author="7", intent="delivery")
    add_scored_post(session, "2", "still nothing, I want a refund", 75, author="7", minutes=30)
    assert first.case is not None
    case_id = first.case.id
    ann = make_user(session, "ann", "agent")
    queue_reply(session, ann, case_id, "Sorry, checking now.", channel="public", key=new_key(),
                now=T0 + timedelta(minutes=10))  # fmt: skip
    add_note(session, ann, case_id, "carrier says Friday", key=new_key(), now=T0)

    detail = case_detail(session, case_id)
    assert [(item.text, item.kind, item.inbound) for item in detail.thread] == [
        ("my parcel is late", "mention", True),
        ("Sorry, checking now.", "reply", False),
        ("still nothing, I want a refund", "mention", True),
    ]
    assert detail.thread[1].who == "ann (us)" and detail.thread[1].status == "queued"
    assert [item.urgency for item in detail.thread] == [40, None, 75]
    assert detail.explanation == "negative 0.50 (2)" and detail.factors == {"negative": 75.0}
    assert [(note.author, note.text) for note in detail.notes] == [("ann", "carrier says Friday")]


def test_an_unknown_case_is_a_clear_error(session: Session) -> None:
    with pytest.raises(UserFacingError, match="no case 999"):
        case_detail(session, 999)
