"""Who a pending request waits for: the count and the Approve buttons promise exactly what
approve_resolution allows, and each request says why it waits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from casework import ask_refund, make_user
from factories import T0
from sqlalchemy.orm import Session

from monitor.auth.permissions import Actor
from monitor.cases.approvals import approvals_for, waiting_for
from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.resolutions import ResolutionRefused, approve_resolution
from monitor.config import ClearanceSettings
from monitor.submissions import new_key

POLICY = ClearanceSettings()


@pytest.fixture
def team(session: Session) -> dict[str, Actor]:
    people = {
        role: make_user(session, name, role)
        for name, role in [("ann", "agent"), ("sam", "senior"), ("sue", "supervisor"),
                           ("al", "analyst")]
    }  # fmt: skip
    session.commit()
    return people


def test_each_person_sees_what_they_can_approve(session: Session, team: dict[str, Actor]) -> None:
    small = ask_refund(
        session, team["agent"], "650.00"
    )  # over the agent limit: seniors may approve
    large = ask_refund(session, team["agent"], "2000.00", "2500.00")  # over the senior limit too
    now = T0 + timedelta(minutes=5)

    senior = {w.request.id: w for w in approvals_for(session, team["senior"], POLICY, now)}
    assert senior[small].can_approve and not senior[large].can_approve
    assert senior[large].needs == "needs a supervisor or admin"
    assert senior[small].why == "A refund of $650.00 is over the agent limit of $100.00."
    assert [r.id for r in waiting_for(session, team["senior"], POLICY, now)] == [small]
    assert [r.id for r in waiting_for(session, team["supervisor"], POLICY, now)] == [small, large]
    for role in ("agent", "analyst"):
        assert waiting_for(session, team[role], POLICY, now) == []
        seen = approvals_for(session, team[role], POLICY, now)
        assert [w.needs for w in seen] == ["needs a senior, supervisor or admin",
                                           "needs a supervisor or admin"]  # fmt: skip

    # The count promises nothing the service refuses: what it leaves out is refused.
    with pytest.raises(ResolutionRefused, match="over the senior limit"):
        approve_resolution(
            session, team["senior"], large, key=new_key(), policy=POLICY,
            order_system=LedgerOrderSystem(session), now=now,
        )  # fmt: skip
    session.rollback()
    approve_resolution(
        session, team["senior"], small, key=new_key(), policy=POLICY,
        order_system=LedgerOrderSystem(session), now=now,
    )  # fmt: skip
    session.commit()
    assert [r.id for r in waiting_for(session, team["supervisor"], POLICY, now)] == [large]


def test_own_request_and_spent_daily_limit_are_not_counted(
    session: Session, team: dict[str, Actor]
) -> None:
    senior = team["senior"]
    own = ask_refund(session, senior, "1500.00", "1600.00")  # over the senior limit: a supervisor's
    [mine] = approvals_for(session, senior, POLICY, T0)
    assert (mine.can_approve, mine.needs) == (False, "your own request: someone else approves it")
    assert [r.id for r in waiting_for(session, team["supervisor"], POLICY, T0)] == [own]

    tight = POLICY.model_copy(update={"daily_limits": {**POLICY.daily_limits, "senior": 700}})
    first, second = (
        ask_refund(session, team["agent"], "400.00"),
        ask_refund(session, team["agent"], "450.00"),
    )
    assert [r.id for r in waiting_for(session, senior, tight, T0)] == [first, second]
    approve_resolution(
        session, senior, first, key=new_key(), policy=tight,
        order_system=LedgerOrderSystem(session), now=T0,
    )  # fmt: skip
    session.commit()
    [left] = [w for w in approvals_for(session, senior, tight, T0) if w.request.id == second]
    assert not left.can_approve
    assert "pass the senior daily limit of $700.00" in left.needs
    assert waiting_for(session, senior, tight, T0) == []
