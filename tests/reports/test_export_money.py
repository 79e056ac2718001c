"""Exports tell the truth about money: cases built by the real services, every column checked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from casework import link_author, make_case, make_customer, make_order, make_user
from factories import T0
from sqlalchemy.orm import Session, sessionmaker

from monitor.auth.permissions import Actor
from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import approve_resolution, reject_resolution, request_resolution
from monitor.cases.sla import SlaPolicy
from monitor.config import ClearanceSettings, Settings
from monitor.db.models import Case
from monitor.reports.export import export_report
from monitor.reports.rows import CASE_COLUMNS, case_rows
from monitor.submissions import new_key

POLICY = ClearanceSettings()
NOW = T0 + timedelta(hours=2)
LATER = T0 + timedelta(days=1)


def _ask(session: Session, actor: Actor, case: Case, action: str, amount: str | None,
         order: str | None = None, **kw: Any) -> int:  # fmt: skip
    return request_resolution(
        session, actor, case.id, action, amount=amount, order_id=order, policy=POLICY,
        order_system=LedgerOrderSystem(session), now=NOW, key=new_key(), **kw,
    ).resolution.id  # fmt: skip


def build(session: Session) -> dict[str, dict[str, Any]]:
    ann, bob = make_user(session, "ann", "agent"), make_user(session, "bob", "agent")
    sam = make_user(session, "sam", "supervisor")
    ledger = LedgerOrderSystem(session)

    dana = make_customer(session, "Dana Reyes", "dana")
    new = make_case(session, "where is my money? two orders, both wrong", 90, author="dana")
    link_author(session, new, dana)
    make_order(session, dana, "111-0000001-0000001", "80.00")
    make_order(session, dana, "111-0000002-0000002", "650.00")
    link_order(session, ann, new.id, "111-0000001-0000001", key=new_key())
    link_order(session, ann, new.id, "111-0000002-0000002", key=new_key())
    _ask(session, ann, new, "refund", "20", "111-0000001-0000001")  # within an agent's clearance
    _ask(session, ann, new, "refund", "120", "111-0000002-0000002")  # over it: waits

    lee = make_customer(session, "Lee Park", "lee")
    done = make_case(session, "my $650 phone arrived smashed", 60, author="lee")
    link_author(session, done, lee)
    make_order(session, lee, "222-0000001-0000001", "650.00")
    done.assignee_id = bob.user_id
    link_order(session, bob, done.id, "222-0000001-0000001", key=new_key())
    refund = _ask(session, bob, done, "refund", "650", "222-0000001-0000001")
    approve_resolution(
        session, sam, refund, policy=POLICY, order_system=ledger, now=NOW, key=new_key()
    )
    credit = _ask(session, bob, done, "goodwill_credit", "90")
    reject_resolution(session, sam, credit, "the refund covers it", now=NOW, key=new_key())
    done.status, done.first_response_at = "resolved", T0 + timedelta(minutes=30)
    done.resolved_at = T0 + timedelta(hours=3)

    quiet = make_case(session, "does the blue one come in XL?", 10, author="kim")

    called = make_case(session, "please just call me", 50, author="max")
    _ask(session, ann, called, "callback", None, details={"phone": "+1 202 555 0143"})
    called.status = "waiting"
    session.commit()
    return {  # plain values: the export detaches the ORM objects it reads
        name: {"case_id": c.id, "status": c.status, "author_platform_id": c.author.external_id,
               "author_handle": c.author.handle}
        for name, c in {"new": new, "done": done, "quiet": quiet, "called": called}.items()
    }  # fmt: skip


def rows(session: Session) -> dict[int, dict[str, Any]]:
    names = [c.name for c in CASE_COLUMNS]
    return {
        row[0]: dict(zip(names, row, strict=True))
        for row in case_rows(session, None, None, SlaPolicy(), LATER)
    }


def expected(case: dict[str, Any], **values: Any) -> dict[str, Any]:
    base = case | {
        "platform": "x", "channel": "mention", "intent": "other", "posts": 1,
        "received_at_utc": T0, "first_response_at_utc": None,
        "resolved_at_utc": None, "first_response_minutes": None, "resolution_minutes": None,
        "resolution_types": "", "executed_amount": None, "pending_amount": None,
        "currency": "", "approver_chain": "", "agent": "", "linked_orders": "",
    }  # fmt: skip
    return base | values


def test_every_case_column_states_what_happened(session: Session) -> None:
    cases = build(session)
    got = rows(session)
    critical, normal = timedelta(minutes=15), timedelta(hours=1)
    want = {
        cases["new"]["case_id"]: expected(
            cases["new"], first_urgency=90.0, peak_urgency=90.0, sla_due_at_utc=T0 + critical,
            sla="missed", resolution_types="refund; refund", executed_amount=20.0,
            pending_amount=120.0, currency="USD",
            approver_chain="ann (own clearance); ann -> awaiting approval", agent="ann",
            linked_orders="111-0000001-0000001; 111-0000002-0000002",
            outcome="unresolved (new); so far refund executed; awaiting refund",
        ),
        cases["done"]["case_id"]: expected(
            cases["done"], first_urgency=60.0, peak_urgency=60.0, sla_due_at_utc=T0 + normal,
            first_response_at_utc=T0 + timedelta(minutes=30), sla="met",
            resolved_at_utc=T0 + timedelta(hours=3), first_response_minutes=30.0,
            resolution_minutes=180.0, resolution_types="refund; goodwill_credit",
            executed_amount=650.0, pending_amount=0.0, currency="USD",
            approver_chain="bob -> sam (approved); bob -> sam (rejected)", agent="bob",
            linked_orders="222-0000001-0000001", outcome="resolved: refund executed",
        ),
        cases["quiet"]["case_id"]: expected(
            cases["quiet"], first_urgency=10.0, peak_urgency=10.0, sla_due_at_utc=T0 + normal,
            sla="missed", outcome="unresolved (new)",
        ),
        cases["called"]["case_id"]: expected(
            cases["called"], first_urgency=50.0, peak_urgency=50.0, sla_due_at_utc=T0 + normal,
            sla="missed", resolution_types="callback", approver_chain="ann (own clearance)",
            agent="ann", outcome="unresolved (waiting); so far callback (call me now) executed",
        ),
    }  # fmt: skip
    assert got == want


def test_csv_export_keeps_executed_and_pending_apart(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    cases = build(session)
    analyst = Actor(user_id=None, username="ana", role="analyst")
    export_report(sessions, Settings(), analyst, "csv", tmp_path / "r.csv", now=LATER)
    frame = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    row = frame[frame.case_id == str(cases["new"]["case_id"])].iloc[0]
    assert (row.executed_amount, row.pending_amount, row.currency) == ("20.0", "120.0", "USD")
    assert "resolution_amount" not in frame.columns
    assert row.outcome.startswith("unresolved (new)")


def test_amounts_in_two_currencies_are_not_added(session: Session) -> None:
    ann = make_user(session, "ann", "agent")
    eve = make_customer(session, "Eve Laurent", "eve")
    case = make_case(session, "remboursement s'il vous plait", 40, author="eve")
    link_author(session, case, eve)
    make_order(session, eve, "333-0000001-0000001", "60.00")
    make_order(session, eve, "333-0000002-0000002", "60.00", currency="EUR")
    for order in ("333-0000001-0000001", "333-0000002-0000002"):
        link_order(session, ann, case.id, order, key=new_key())
        _ask(session, ann, case, "refund", "10", order)
    session.commit()
    row = rows(session)[case.id]
    assert (row["executed_amount"], row["pending_amount"], row["currency"]) == (
        None, None, "EUR; USD",
    )  # fmt: skip


def test_report_page_amounts_keep_statuses_apart(session: Session) -> None:
    from monitor.reports.metrics import resolution_amounts

    build(session)
    frame = resolution_amounts(session, T0, LATER)
    got = sorted(frame.itertuples(index=False, name=None))
    assert got == [
        ("callback", "executed", "(own clearance)", 1, 0.0),
        ("goodwill_credit", "rejected", "sam (rejected)", 1, 90.0),
        ("refund", "executed", "(own clearance)", 1, 20.0),
        ("refund", "executed", "sam", 1, 650.0),
        ("refund", "pending_approval", "(awaiting approval)", 1, 120.0),
    ]
