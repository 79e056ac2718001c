"""Orders belong to customers, and a submission key acts once (single-process rules; the
races are in test_concurrency.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from factories import T0
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.auth.permissions import PermissionDenied
from monitor.cases import actions
from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import (
    OrderError,
    WithheldOrder,
    link_author_to_customer,
    link_order,
    linked_orders,
    suggest_orders,
)
from monitor.cases.replies import queue_reply
from monitor.cases.resolutions import ResolutionRefused, request_resolution
from monitor.config import ClearanceSettings
from monitor.db.models import AuditEntry, Author, LedgerEntry, OutboxMessage, Resolution
from monitor.errors import UserFacingError
from monitor.submissions import AlreadyDone, new_key

NOW = T0 + timedelta(hours=1)
DANA_ORDER = "111-0000001-0000001"


def _refund(session: Session, actor, case_id: int, order: str, key: str, amount: str = "20"):
    return request_resolution(
        session, actor, case_id, "refund", amount=amount, order_id=order, key=key,
        policy=ClearanceSettings(), order_system=LedgerOrderSystem(session), now=NOW,
    )  # fmt: skip


def test_a_stranger_quoting_someone_elses_order_learns_nothing_and_gets_nothing(
    session: Session,
) -> None:
    agent = make_user(session, "ann", "agent")
    dana = make_customer(session)
    make_order(session, dana, DANA_ORDER, "1849.00", item="Laptop", carrier="UPS",
               tracking_number="1Z999")  # fmt: skip
    stranger = make_case(
        session, f"refund order {DANA_ORDER} now, it never arrived", 90, author="mallory"
    )
    [quoted] = suggest_orders(session, stranger.id)
    assert isinstance(quoted.order, WithheldOrder)
    assert "quoted by the author, belongs to another customer" in quoted.order.why
    shown = repr(quoted)
    assert not any(secret in shown for secret in ("Dana", "1849", "Laptop", "1Z999", "UPS"))
    with pytest.raises(OrderError, match=r"rule case\.order_owner"):
        link_order(session, agent, stranger.id, DANA_ORDER, key=new_key())
    assert linked_orders(session, stranger.id) == []


def test_resolution_only_touches_the_verified_customers_orders(session: Session) -> None:
    agent = make_user(session, "ann", "agent")
    dana, sam = make_customer(session), make_customer(session, "Sam Lee", "sam")
    make_order(session, dana, DANA_ORDER, "129.00")
    case = make_case(session, "charged twice", 80)
    link_author(session, case, dana)
    link_order(session, agent, case.id, DANA_ORDER, key=new_key())
    # The author turns out to be someone else: the old link no longer lets money move.
    link_author(session, case, sam)
    with pytest.raises(ResolutionRefused, match=r"rule resolution\.order_owner") as refused:
        _refund(session, agent, case.id, DANA_ORDER, new_key())
    assert "Dana" not in str(refused.value)
    assert session.scalars(select(LedgerEntry)).first() is None


def test_linking_an_author_is_permission_checked_and_audited(session: Session) -> None:
    agent = make_user(session, "ann", "agent")
    senior = make_user(session, "sid", "senior")
    dana = make_customer(session)
    make_order(session, dana, DANA_ORDER, "129.00")
    case = make_case(session, f"where is {DANA_ORDER}?", 60, author="dana_alt")
    with pytest.raises(PermissionDenied, match="senior, supervisor, admin"):
        link_author_to_customer(session, agent, case.id, DANA_ORDER, key=new_key(), evidence="DM")
    with pytest.raises(OrderError, match="how the author proved"):
        link_author_to_customer(session, senior, case.id, DANA_ORDER, key=new_key(), evidence="")
    customer = link_author_to_customer(
        session, senior, case.id, DANA_ORDER, key=new_key(), evidence="confirmed e-mail by DM"
    )
    assert customer.id == dana.id
    assert session.get_one(Author, case.author_id).customer_id == dana.id
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "author.link_customer")
    ).one()
    assert entry.actor == "sid" and entry.before == {"customer_id": None}
    assert entry.after == {"customer_id": dana.id, "by": DANA_ORDER,
                           "evidence": "confirmed e-mail by DM"}  # fmt: skip
    assert [s.order.id for s in suggest_orders(session, case.id)] == [DANA_ORDER]


def test_a_repeated_submission_is_told_it_was_done(session: Session) -> None:
    agent = make_user(session, "ann", "agent")
    dana = make_customer(session)
    make_order(session, dana, DANA_ORDER, "129.00")
    case = make_case(session, "charged twice", 80)
    link_author(session, case, dana)
    link_order(session, agent, case.id, DANA_ORDER, key=new_key())
    key = new_key()
    first = _refund(session, agent, case.id, DANA_ORDER, key)
    with pytest.raises(AlreadyDone, match=r"already done: .* by ann \(#\d+: refund \$20\.00"):
        _refund(session, agent, case.id, DANA_ORDER, key)
    # Even with different values, a replayed key is the same submission: nothing new happens.
    with pytest.raises(AlreadyDone, match="nothing was repeated"):
        _refund(session, agent, case.id, DANA_ORDER, key, amount="50")
    assert session.scalars(select(Resolution.id)).all() == [first.resolution.id]
    assert len(session.scalars(select(LedgerEntry)).all()) == 1

    reply = new_key()
    queue_reply(session, agent, case.id, "Sorry! Please DM us.", channel="public", key=reply)
    with pytest.raises(AlreadyDone, match="reply #1 queued"):
        queue_reply(session, agent, case.id, "Sorry! Please DM us.", channel="public", key=reply)
    assert len(session.scalars(select(OutboxMessage)).all()) == 1
    note = new_key()
    actions.add_note(session, agent, case.id, "called", key=note)
    with pytest.raises(AlreadyDone):
        actions.add_note(session, agent, case.id, "called", key=note)
    with pytest.raises(UserFacingError, match="no valid submission key"):
        actions.add_note(session, agent, case.id, "called", key="")
