from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from factories import T0
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.auth.permissions import PermissionDenied
from monitor.cases.audit_verify import verify_chain
from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import (
    InvalidResolution,
    ResolutionRefused,
    approve_resolution,
    reject_resolution,
    request_resolution,
)
from monitor.cases.suggestions import suggest_resolutions
from monitor.config import ClearanceSettings
from monitor.db.models import AuditEntry, Charge, LedgerEntry, Resolution
from monitor.submissions import new_key

POLICY = ClearanceSettings()
NOW = T0 + timedelta(hours=2)


@pytest.fixture
def world(session: Session) -> dict:
    people = {role: make_user(session, role, role) for role in
              ("agent", "senior", "supervisor", "analyst", "admin")}  # fmt: skip
    people["agent2"] = make_user(session, "agent2", "agent")
    customer = make_customer(session)
    case = make_case(session, "my $650 headphones never arrived!!", 90)
    link_author(session, case, customer)
    make_order(session, customer, "111-0000001-0000001", "650.00")
    make_order(session, customer, "111-0000002-0000002", "80.00")
    link_order(session, people["agent"], case.id, "111-0000001-0000001", key=new_key())
    link_order(session, people["agent"], case.id, "111-0000002-0000002", key=new_key())
    return {"case": case, "customer": customer, **people}


def request(session: Session, actor, case, amount, order="111-0000001-0000001", **kw):
    return request_resolution(
        session, actor, case.id, kw.pop("action", "refund"), amount=amount, order_id=order,
        policy=POLICY, order_system=LedgerOrderSystem(session), now=NOW,
        key=kw.pop("key", None) or new_key(), **kw,
    )  # fmt: skip


def approve(session: Session, actor, resolution_id: int):
    return approve_resolution(
        session, actor, resolution_id, policy=POLICY, order_system=LedgerOrderSystem(session),
        now=NOW, key=new_key(),
    )  # fmt: skip


def test_small_refund_within_clearance_runs_at_once(session: Session, world: dict) -> None:
    outcome = request(session, world["agent"], world["case"], "40", order="111-0000002-0000002")
    assert outcome.executed and outcome.resolution.status == "executed"
    entry = session.scalars(select(LedgerEntry)).one()
    assert entry.amount == Decimal("40.00") and entry.order_id == "111-0000002-0000002"
    assert outcome.resolution.external_reference == f"ledger-{entry.id}"


def test_high_value_refund_waits_for_a_senior_and_says_why(session: Session, world: dict) -> None:
    outcome = request(session, world["agent"], world["case"], "650")
    assert not outcome.executed and outcome.resolution.status == "pending_approval"
    rules = {b.rule for b in outcome.breaches}
    assert {"clearance.limits.agent.refund", "clearance.high_value_order"} <= rules
    assert "can approve: senior, supervisor, admin" in outcome.message
    assert session.scalars(select(LedgerEntry)).first() is None

    done = approve(session, world["supervisor"], outcome.resolution.id)
    assert done.executed and done.resolution.decided_by == world["supervisor"].user_id
    assert session.scalars(select(LedgerEntry)).one().amount == Decimal("650.00")
    steps = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "resolution"))
    assert list(steps) == [
        "resolution.request", "resolution.approve", "resolution.execute"
    ]  # fmt: skip
    assert verify_chain(session).intact


def test_an_agent_cannot_approve(session: Session, world: dict) -> None:
    outcome = request(session, world["agent"], world["case"], "650")
    with pytest.raises(PermissionDenied, match="senior, supervisor, admin"):
        approve(session, world["agent2"], outcome.resolution.id)


def test_nobody_approves_their_own_request(session: Session, world: dict) -> None:
    outcome = request(session, world["senior"], world["case"], "650")
    assert outcome.executed  # within a senior's clearance: no approval needed
    customer = world["customer"]  # orders of the case's own customer
    make_order(session, customer, "111-0000003-0000003", "2000.00")
    link_order(session, world["agent"], world["case"].id, "111-0000003-0000003", key=new_key())
    big = request(session, world["supervisor"], world["case"], "1200", order="111-0000003-0000003")
    assert [b.rule for b in big.breaches] == ["clearance.second_approval_above"]
    with pytest.raises(ResolutionRefused, match=r"clearance\.four_eyes"):
        approve(session, world["supervisor"], big.resolution.id)
    with pytest.raises(ResolutionRefused, match="own request"):
        reject_resolution(session, world["supervisor"], big.resolution.id, "no", key=new_key())
    assert approve(session, world["admin"], big.resolution.id).executed


def test_over_clearance_approval_is_refused_naming_rule_and_approvers(
    session: Session, world: dict
) -> None:
    customer = world["customer"]  # orders of the case's own customer
    make_order(session, customer, "111-0000003-0000003", "4000.00")
    link_order(session, world["agent"], world["case"].id, "111-0000003-0000003", key=new_key())
    outcome = request(session, world["agent"], world["case"], "3000", order="111-0000003-0000003")
    with pytest.raises(ResolutionRefused) as refused:
        approve(session, world["senior"], outcome.resolution.id)
    message = str(refused.value)
    assert "rule clearance.limits.senior.refund" in message
    assert "over the senior limit of $1,000.00" in message
    assert "can approve: supervisor, admin" in message
    assert approve(session, world["supervisor"], outcome.resolution.id).executed


def test_daily_limit(session: Session, world: dict) -> None:
    small = "111-0000002-0000002"
    assert request(session, world["agent"], world["case"], "80", order=small).executed
    customer = world["customer"]  # orders of the case's own customer
    for n in range(3):
        make_order(session, customer, f"111-100000{n}-0000000", "99.00")
        link_order(
            session, world["agent"], world["case"].id, f"111-100000{n}-0000000", key=new_key()
        )
    assert request(
        session, world["agent"], world["case"], "99", order="111-1000000-0000000"
    ).executed
    assert request(
        session, world["agent"], world["case"], "99", order="111-1000001-0000000"
    ).executed
    over = request(session, world["agent"], world["case"], "99", order="111-1000002-0000000")
    assert not over.executed
    [breach] = over.breaches
    assert breach.rule == "clearance.daily_limits.agent"
    assert "daily limit of $300.00 ($278.00 granted today)" in breach.message
    with pytest.raises(InvalidResolution, match="order_value"):
        request(session, world["agent2"], world["case"], "10", order=small)  # fully refunded


def test_amount_over_order_value_is_refused(session: Session, world: dict) -> None:
    with pytest.raises(InvalidResolution, match=r"worth \$80.00.*rule resolution.order_value"):
        request(session, world["supervisor"], world["case"], "80.01", order="111-0000002-0000002")
    assert request(
        session, world["agent"], world["case"], "50", order="111-0000002-0000002"
    ).executed
    with pytest.raises(InvalidResolution, match=r"at most \$30.00 is left"):
        request(session, world["agent"], world["case"], "31", order="111-0000002-0000002")


def test_analyst_cannot_request_or_approve(session: Session, world: dict) -> None:
    with pytest.raises(PermissionDenied):
        request(session, world["analyst"], world["case"], "10", order="111-0000002-0000002")
    pending = request(session, world["agent"], world["case"], "650")
    with pytest.raises(PermissionDenied):
        approve(session, world["analyst"], pending.resolution.id)


def test_reject_needs_a_reason_and_is_audited(session: Session, world: dict) -> None:
    pending = request(session, world["agent"], world["case"], "650")
    with pytest.raises(InvalidResolution, match="say why"):
        reject_resolution(session, world["supervisor"], pending.resolution.id, "  ", key=new_key())
    rejected = reject_resolution(
        session, world["supervisor"], pending.resolution.id, "duplicate", key=new_key()
    )
    assert rejected.status == "rejected" and rejected.decision_reason == "duplicate"
    with pytest.raises(InvalidResolution, match="already decided by supervisor"):
        approve(session, world["senior"], pending.resolution.id)


def test_callback_needs_a_valid_phone_and_escalation_a_team(session: Session, world: dict) -> None:
    with pytest.raises(InvalidResolution, match="international format"):
        request(session, world["agent"], world["case"], None, order=None, action="callback",
                details={"phone": "555-0143"})  # fmt: skip
    ok = request(session, world["agent"], world["case"], None, order=None, action="callback",
                 details={"phone": "+1 (202) 555-0143"})  # fmt: skip
    assert ok.executed and ok.resolution.details == {"phone": "+12025550143"}
    with pytest.raises(InvalidResolution, match="specialist team"):
        request(session, world["agent"], world["case"], None, order=None, action="escalation",
                details={"team": "nowhere"})  # fmt: skip
    lock = request(session, world["agent"], world["case"], None, order=None,
                   action="security_lock")  # fmt: skip
    assert not lock.executed
    assert "an agent may not grant an account security lock" in lock.message


def test_suggestions_for_billing_errors_and_missing_parcels(session: Session, world: dict) -> None:
    customer = world["customer"]  # orders of the case's own customer
    order = make_order(
        session, customer, "111-0000009-0000009", "14.99", status="cancelled", kind="subscription",
        item="Prime membership", cancelled_at=T0 - timedelta(days=20),
    )  # fmt: skip
    session.add(
        Charge(order_id=order.id, amount=Decimal("14.99"), charged_at=T0 - timedelta(days=2))
    )
    dup = make_order(session, customer, "111-0000008-0000008", "45.00", status="shipped")
    session.add(Charge(order_id=dup.id, amount=Decimal("45.00"),
                       charged_at=dup.ordered_at + timedelta(minutes=12)))  # fmt: skip
    for oid in (order.id, dup.id):
        link_order(session, world["agent"], world["case"].id, oid, key=new_key())
    session.flush()
    audited = session.scalar(select(func.count(AuditEntry.id)))
    suggestions = {
        (s.action, s.order_id): s for s in suggest_resolutions(session, world["case"].id, POLICY)
    }
    billing = suggestions[("refund", order.id)]
    assert billing.amount == Decimal("14.99") and "after its cancellation" in billing.evidence
    assert "twice, 12 minutes apart" in suggestions[("refund", dup.id)].evidence
    missing = suggestions[("replacement", "111-0000001-0000001")]
    assert missing.amount == Decimal("650.00") and "never arrived" in missing.evidence
    assert missing.approvers == ("senior", "supervisor", "admin")
    # Suggesting grants nothing: no resolution, no ledger entry, nothing audited.
    assert session.scalar(select(func.count(Resolution.id))) == 0
    assert session.scalar(select(func.count(LedgerEntry.id))) == 0
    assert session.scalar(select(func.count(AuditEntry.id))) == audited


def test_no_replacement_suggested_once_the_order_is_refunded(session: Session, world: dict) -> None:
    """The missing $650 parcel suggests a replacement until a refund of it is made or asked
    for; after that a replacement would pay the customer twice."""
    missing = ("replacement", "111-0000001-0000001")

    def suggested() -> set[tuple[str, str | None]]:
        return {
            (s.action, s.order_id) for s in suggest_resolutions(session, world["case"].id, POLICY)
        }

    assert missing in suggested()
    request(session, world["agent"], world["case"], "650.00", order="111-0000001-0000001")
    assert missing not in suggested()
