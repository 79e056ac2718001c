"""Limits and decisions hold when many threads or processes act at the same instant.

Every racer has its own engine and session, like two dashboard tabs, two dashboard servers or
a script beside the dashboard; they wait at a barrier and then all submit at once. Runs on
SQLite and PostgreSQL (the `db_url` fixture)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from race import in_processes, in_threads
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import request_resolution
from monitor.config import ClearanceSettings
from monitor.db.engine import make_engine, session_factory
from monitor.db.models import AuditEntry, LedgerEntry, Submission
from monitor.submissions import new_key

ORDER = "111-0000129-0000129"
RACES = {"threads": in_threads, "processes": in_processes}


def _world(db_url: str) -> int:
    """Agent 'ann', approvers, Dana's case with her $129 order linked; returns the case id."""
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        ann = make_user(session, "ann", "agent")
        for name, role in [("sue", "supervisor"), ("sam", "senior"), ("ada", "admin"),
                           ("sid", "senior"), ("sky", "supervisor")]:  # fmt: skip
            make_user(session, name, role)
        dana = make_customer(session)
        case = make_case(session, "charged twice for my $129 speaker", 80)
        link_author(session, case, dana)
        make_order(session, dana, ORDER, "129.00", item="Speaker")
        make_order(session, dana, "111-0000650-0000650", "650.00")
        link_order(session, ann, case.id, ORDER, key=new_key())
        link_order(session, ann, case.id, "111-0000650-0000650", key=new_key())
        session.commit()
        case_id = case.id
    engine.dispose()
    return case_id


@pytest.mark.parametrize("race", list(RACES))
def test_goodwill_credits_never_pass_the_daily_limit(
    race: str, db_url: str, session: Session
) -> None:
    """16 agents' clicks of $25 against the agent's $300 daily limit: 12 paid, 4 wait."""
    case_id = _world(db_url)
    racers = [("credit", "ann", str(case_id), "")] * 16
    results = RACES[race](db_url, racers)
    assert Counter(results) == {"executed": 12, "pending_approval": 4}, results
    paid = session.scalar(select(func.sum(LedgerEntry.amount)))
    assert paid == Decimal("300.00") and session.scalar(select(func.count(LedgerEntry.id))) == 12


@pytest.mark.parametrize("race", list(RACES))
def test_refunds_on_one_order_never_pass_its_value(
    race: str, db_url: str, session: Session
) -> None:
    """Eight $80 refunds on one $129 order: one is paid, seven are refused by the rule."""
    case_id = _world(db_url)
    results = RACES[race](db_url, [(f"refund:{ORDER}", "ann", str(case_id), "")] * 8)
    assert results.count("executed") == 1, results
    refused = [r for r in results if r != "executed"]
    assert len(refused) == 7 and all("rule resolution.order_value" in r for r in refused)
    assert session.scalars(select(LedgerEntry.amount)).all() == [Decimal("80.00")]


@pytest.mark.parametrize("race", list(RACES))
def test_one_request_is_decided_once(race: str, db_url: str, session: Session) -> None:
    """Five approvers approve (and one rejects) the same $650 request at once, each with
    their own submission: exactly one decision, one payment, one approval in the audit."""
    case_id = _world(db_url)
    engine = make_engine(db_url)
    with session_factory(engine)() as own:
        pending = request_resolution(
            own, make_user(own, "ann2", "agent"), case_id, "refund", amount="650",
            order_id="111-0000650-0000650", key=new_key(), policy=ClearanceSettings(),
            order_system=LedgerOrderSystem(own),
        )  # fmt: skip
        own.commit()
        rid = pending.resolution.id
    engine.dispose()
    racers = [("approve", name, str(rid), "") for name in ("sue", "sam", "ada", "sid", "sky")]
    racers.append(("reject", "sue", str(rid), ""))
    results = RACES[race](db_url, racers)
    decided = [r for r in results if r in ("executed", "rejected")]
    assert len(decided) == 1, results
    others = [r for r in results if r not in decided]
    assert all("already decided" in r for r in others), results
    payments = session.scalar(select(func.count(LedgerEntry.id)))
    assert payments == (1 if decided == ["executed"] else 0)
    decisions = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "resolution",
            AuditEntry.action.in_(("resolution.approve", "resolution.reject")),
        )
    ).all()
    assert len(decisions) == 1


@pytest.mark.parametrize("race", list(RACES))
def test_the_same_submission_acts_once(race: str, db_url: str, session: Session) -> None:
    """A double click, a retry and a replayed request all carry the same key: eight copies of
    one $25 credit submission arrive at once, one credit is paid, seven are told it was done."""
    case_id = _world(db_url)
    key = new_key()
    results = RACES[race](db_url, [("credit", "ann", str(case_id), key)] * 8)
    assert sorted(results) == ["done"] * 7 + ["executed"], results
    assert session.scalar(select(func.count(LedgerEntry.id))) == 1
    assert session.scalars(select(Submission.key)).all().count(key) == 1
