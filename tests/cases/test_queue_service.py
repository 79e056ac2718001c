"""The queue service on SQLite and PostgreSQL: order, counts, paging, search, saved views."""

from __future__ import annotations

from datetime import timedelta

from casework import link_author, make_case, make_customer, make_order, make_user
from factories import T0, add_scored_post
from sqlalchemy.orm import Session

from monitor.cases.orders import link_order
from monitor.cases.queue import (
    ANSWERED,
    FIRST_REPLY,
    FOLLOW_UP,
    QueueFilters,
    queue,
    queue_counts,
    queue_page,
)
from monitor.db.models import Case, Post
from monitor.ingest import store_posts
from monitor.sources.base import AuthorInfo, IncomingPost
from monitor.submissions import new_key

NOW = T0 + timedelta(hours=1)


def _case(session: Session, text: str, urgency: float, author: str, **fields: object) -> Case:
    case = make_case(session, text, urgency, author=author)
    for name, value in fields.items():
        setattr(case, name, value)
    session.flush()
    return case


def _ids(session: Session, **filters: object) -> list[int]:
    return [row.case_id for row in queue(session, QueueFilters(**filters), now=NOW)]  # type: ignore[arg-type]


def test_cases_owing_a_reply_come_before_answered_ones_then_by_urgency(session: Session) -> None:
    answered = _case(
        session, "thanks, sorted", 91, "a", first_response_at=T0, sla_due_at=None,
        status="waiting",
    )  # fmt: skip
    first_low = _case(session, "where is my parcel", 20, "b")
    follow_up = _case(
        session, "still broken after your reply", 70, "c", first_response_at=T0,
        sla_due_at=NOW + timedelta(minutes=30), status="open",
    )  # fmt: skip
    first_high = _case(session, "charged twice!", 40, "d")
    session.commit()

    rows = queue(session, now=NOW)

    assert [r.case_id for r in rows] == [follow_up.id, first_high.id, first_low.id, answered.id]
    assert [r.reply_state for r in rows] == [FOLLOW_UP, FIRST_REPLY, FIRST_REPLY, ANSWERED]


def test_counts_per_status_and_of_what_needs_the_team(session: Session) -> None:
    _case(session, "a", 50, "a", sla_due_at=NOW + timedelta(minutes=10))  # breaching soon
    _case(session, "b", 50, "b", sla_due_at=NOW - timedelta(minutes=5))  # already late
    _case(session, "c", 50, "c", sla_due_at=NOW + timedelta(hours=2))
    _case(session, "d", 50, "d", status="waiting", first_response_at=T0, sla_due_at=None)
    _case(session, "e", 50, "e", status="resolved", sla_due_at=None)
    _case(session, "f", 50, "f", status="closed", sla_due_at=None)
    session.commit()

    counts = queue_counts(session, now=NOW)

    assert counts.by_status == {"new": 3, "waiting": 1, "resolved": 1, "closed": 1}
    assert counts.total == 4  # the open statuses the queue shows by default
    assert counts.needs_first_reply == 3
    assert counts.breaching == 2
    closed = queue_counts(session, QueueFilters(statuses=("resolved", "closed")), now=NOW)
    assert (closed.total, closed.needs_first_reply, closed.breaching) == (2, 2, 0)


def test_pages_cover_every_open_case_once(session: Session) -> None:
    ids = {_case(session, f"post {n}", n, f"u{n}").id for n in range(1, 58)}
    session.commit()

    pages = [queue_page(session, page=n, page_size=25, now=NOW) for n in (1, 2, 3)]

    assert [p.pages for p in pages] == [3, 3, 3]
    assert [len(p.rows) for p in pages] == [25, 25, 7]
    seen = [row.case_id for p in pages for row in p.rows]
    assert len(seen) == len(set(seen)) == 57 and set(seen) == ids
    assert [row.urgency for row in pages[0].rows][:3] == [57, 56, 55]
    beyond = queue_page(session, page=99, page_size=25, now=NOW)  # shows the last page
    assert beyond.page == 3 and [r.case_id for r in beyond.rows] == [
        r.case_id for r in pages[2].rows
    ]


def test_search_by_words_handle_case_id_and_linked_order(session: Session) -> None:
    agent = make_user(session, "ann", "agent")
    dana = make_customer(session, "Dana Reyes", "dana")
    make_order(session, dana, "112-0000001-0000001", "80.00")
    parcel = _case(session, "My PARCEL never arrived", 60, "dana")
    refund = _case(session, "refund still missing", 50, "eli")
    link_author(session, parcel, dana)
    link_order(session, agent, parcel.id, "112-0000001-0000001", key=new_key())
    session.commit()

    assert _ids(session, search="parcel") == [parcel.id]  # any case of the words
    assert _ids(session, search="  still   missing ") == [refund.id]
    assert _ids(session, search="@userel") == [refund.id]  # handles: users are @user<name>
    assert _ids(session, search="@arrived") == []  # @ searches handles only
    assert _ids(session, search=f"#{refund.id}") == [refund.id]
    assert _ids(session, search="112-0000001-0000001") == [parcel.id]
    assert _ids(session, search="no such words") == []


def test_an_order_number_finds_only_its_own_customers_case(session: Session) -> None:
    dana, eve = make_customer(session, "Dana Reyes", "dana"), make_customer(session, "Eve", "eve")
    make_order(session, dana, "111-1111111-1111111", "40.00")
    make_order(session, eve, "222-2222222-2222222", "900.00")
    dana_case = _case(session, "my headphones are broken", 70, "dana")
    eve_case = _case(session, "where is my TV", 60, "eve")
    stranger = _case(session, "my order never came", 80, "zed")  # not known as a customer
    link_author(session, dana_case, dana)
    link_author(session, eve_case, eve)
    session.commit()

    assert _ids(session, search="222-2222222-2222222") == [eve_case.id]
    assert _ids(session, search="111-1111111-1111111") == [dana_case.id]
    assert stranger.id not in _ids(session, search="222-2222222-2222222")
    assert _ids(session, search="222-2222222") == []  # a part of an order number is no match


def test_search_text_is_matched_literally(session: Session) -> None:
    sure = _case(session, "I am 100% sure it was charged", 50, "a")
    _case(session, "1000 times I asked", 40, "b")
    under = _case(session, "my user_name is locked", 30, "c")
    session.commit()

    assert _ids(session, search="100%") == [sure.id]
    assert _ids(session, search="%") == [sure.id]  # not every case
    assert _ids(session, search="_") == [under.id]
    assert _ids(session, search="' OR 1=1 --") == []
    assert _ids(session, search="\\") == []
    assert _ids(session, search="x" * 5000) == []  # long input is cut, not an error
    # Control characters are dropped before the database sees them (a NUL ends SQLite's text).
    assert _ids(session, search="\x00") == _ids(session)  # the same as an empty search
    assert _ids(session, search="user\x00_name") == []  # "user _name"
    assert _ids(session, search="100\x00%") == []


def test_saved_views(session: Session) -> None:
    ann = make_user(session, "ann", "agent")
    bob = make_user(session, "bob", "agent")
    hours = NOW + timedelta(hours=2)
    mine = _case(session, "mine", 50, "a", assignee_id=ann.user_id, sla_due_at=hours)
    bobs = _case(session, "bob's", 60, "b", assignee_id=bob.user_id, sla_due_at=hours)
    soon = _case(session, "due soon", 40, "c", sla_due_at=NOW + timedelta(minutes=14))
    late = _case(session, "late", 30, "d", sla_due_at=NOW - timedelta(minutes=3))
    later = _case(session, "later", 20, "e", sla_due_at=NOW + timedelta(minutes=16))
    answered = _case(session, "answered", 10, "f", first_response_at=T0, sla_due_at=None)
    session.commit()

    assert _ids(session, assignee_id=ann.user_id) == [mine.id]
    assert _ids(session, unassigned=True) == [soon.id, late.id, later.id, answered.id]
    assert _ids(session, due_within_minutes=15) == [soon.id, late.id]
    assert answered.id not in _ids(session, needs_first_reply=True)
    assert bobs.id in _ids(session, needs_first_reply=True)


def test_a_case_the_scorer_has_not_reached_is_listed(session: Session) -> None:
    incoming = IncomingPost(
        platform="x", external_id="raw-1", kind="mention",
        author=AuthorInfo("x", "9", "fresh"), text="just arrived", created_at=T0,
    )  # fmt: skip
    [post_id] = store_posts(session, [incoming]).new_post_ids
    scored = add_scored_post(session, "s-1", "scored one", 5, author="7")
    session.commit()
    post = session.get_one(Post, post_id)

    rows = queue(session, now=NOW)

    assert [r.case_id for r in rows] == [scored.case_id, post.case_id]
    assert rows[1].explanation == "not scored yet" and rows[1].text == "just arrived"
    assert queue_counts(session, now=NOW).total == 2
