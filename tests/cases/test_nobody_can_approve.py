"""A request that no role's clearance covers is refused outright, naming the rule, instead of
waiting forever for an approval nobody can give."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from factories import T0
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import RequestOutcome, ResolutionRefused, request_resolution
from monitor.config import ClearanceSettings
from monitor.db.models import AuditEntry, LedgerEntry, Resolution, Submission
from monitor.submissions import new_key
from monitor.vocab import ResolutionKind, ResolutionStatus, Role

ORDER_ID = "111-0000001-0000001"
NOW = T0 + timedelta(hours=1)


@pytest.fixture
def world(session: Session) -> dict:
    people = {r: make_user(session, r, r) for r in ("agent", "admin")}
    dana = make_customer(session)
    case = make_case(session, "you owe me for the whole shipment", 95)
    link_author(session, case, dana)
    make_order(session, dana, ORDER_ID, "20000.00", item="Pallet of monitors")
    link_order(session, people["agent"], case.id, ORDER_ID, key=new_key())
    session.commit()
    return {"case": case, **people}


def _ask(session: Session, world: dict, amount: str, key: str, **kw: Any) -> RequestOutcome:
    return request_resolution(
        session, world["agent"], world["case"].id, str(kw.pop("action", "refund")),
        amount=amount, order_id=ORDER_ID, key=key, now=NOW,
        policy=kw.pop("policy", ClearanceSettings()), order_system=LedgerOrderSystem(session),
    )  # fmt: skip


def _stored(session: Session) -> tuple[int, int, int, int]:
    return (
        session.scalar(select(func.count(Resolution.id))) or 0,
        session.scalar(select(func.count(LedgerEntry.id))) or 0,
        session.scalar(select(func.count(Submission.id))) or 0,
        session.scalar(select(func.count(AuditEntry.id))) or 0,
    )


def test_above_every_roles_limit_is_refused_naming_the_rule(session: Session, world: dict) -> None:
    before = _stored(session)
    key = new_key()
    with pytest.raises(ResolutionRefused) as refused:
        _ask(session, world, "10000.01", key)  # the admin limit is $10,000.00
    session.rollback()

    message = str(refused.value)
    assert message.startswith("nobody's clearance covers this: ")
    assert "a refund of $10,000.01 is over the agent limit of $100.00" in message
    assert "(rule clearance.limits.agent.refund)" in message
    assert "can approve: nobody (change the policy)" in message
    rules = {b.rule for b in refused.value.breaches}
    assert "clearance.limits.agent.refund" in rules and "clearance.second_approval_above" in rules
    assert all(b.approvers == () for b in refused.value.breaches)
    assert _stored(session) == before  # nothing waits for an approval that cannot come

    # The same form may be sent again once the amount is one an admin can approve.
    outcome = _ask(session, world, "10000.00", key)
    assert outcome.resolution.status == ResolutionStatus.PENDING_APPROVAL
    assert all(b.approvers == (Role.ADMIN,) for b in outcome.breaches)


def test_an_action_no_role_may_grant_is_refused(session: Session, world: dict) -> None:
    """A policy where nobody has a limit for goodwill credits: refused, not queued."""
    limits = {
        role: {k: v for k, v in kinds.items() if k != "goodwill_credit"}
        for role, kinds in ClearanceSettings().limits.items()
    }
    policy = ClearanceSettings(limits=limits)
    before = _stored(session)
    with pytest.raises(ResolutionRefused, match=r"rule clearance\.limits\.agent\.goodwill_credit"):
        _ask(session, world, "5", new_key(), action="goodwill_credit", policy=policy)
    session.rollback()
    assert _stored(session) == before
    assert ClearanceSettings().limits[Role.AGENT][ResolutionKind.GOODWILL_CREDIT] == Decimal(25)
