"""Presence (who else has a case open) and customer history, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from casework import link_author, make_case, make_customer, make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.cases.history import customer_history
from monitor.cases.presence import WINDOW, others_here, touch
from monitor.db.models import CasePresence
from monitor.db.types import utcnow
from monitor.errors import UserFacingError


def test_presence_heartbeats_update_one_row_and_expire(session: Session) -> None:
    case = make_case(session, "where is my parcel", 60)
    ann, bob = make_user(session, "ann", "agent"), make_user(session, "bob", "senior")
    now = utcnow()
    touch(session, ann, case.id, now=now - timedelta(seconds=30))
    touch(session, ann, case.id, now=now)  # a heartbeat updates the same row
    touch(session, bob, case.id, typing=True, now=now - timedelta(seconds=10))
    session.commit()
    assert session.scalar(select(func.count()).select_from(CasePresence)) == 2
    [seen] = others_here(session, bob, case.id, now=now)
    assert (seen.username, seen.role, seen.typing) == ("ann", "agent", False)
    [typing] = others_here(session, ann, case.id, now=now)
    assert typing.username == "bob" and typing.typing
    later = now + WINDOW + timedelta(seconds=1)
    assert others_here(session, ann, case.id, now=later) == []
    # Still open but no longer typing: the typing mark expires on its own.
    touch(session, bob, case.id, now=later)
    [quiet] = others_here(session, ann, case.id, now=later)
    assert not quiet.typing


def test_sending_the_reply_ends_the_typing_mark(session: Session) -> None:
    case = make_case(session, "where is my parcel", 60)
    ann, bob = make_user(session, "ann", "agent"), make_user(session, "bob", "senior")
    now = utcnow()
    touch(session, bob, case.id, typing=True, now=now - timedelta(seconds=5))
    assert others_here(session, ann, case.id, now=now)[0].typing
    touch(session, bob, case.id, replied=True, now=now)
    session.commit()
    [sent] = others_here(session, ann, case.id, now=now)
    assert sent.username == "bob" and not sent.typing  # still there, no longer writing


def test_history_covers_every_account_of_the_customer(session: Session) -> None:
    dana = make_customer(session)
    first = make_case(session, "parcel missing", 50)
    other_account = make_case(session, "still missing", 70, author="dana2")
    stranger = make_case(session, "hello", 20, author="sam")
    current = make_case(session, "third time!", 90, author="dana3")
    for case in (first, other_account, current):
        link_author(session, case, dana)
    first.status = "closed"
    session.commit()
    history = customer_history(session, current.id)
    assert {p.id for p in history} == {first.id, other_account.id}
    assert stranger.id not in {p.id for p in history}
    closed = next(p for p in history if p.id == first.id)
    assert closed.status == "closed" and closed.outcome == "not answered"
    assert customer_history(session, stranger.id) == []
    with pytest.raises(UserFacingError, match="no case 999"):
        customer_history(session, 999)
