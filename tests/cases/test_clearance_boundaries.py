"""`breaches()` at the edges: every role's limit for every kind of resolution, exactly at the
limit, one cent under and one cent over; the same for the order-value, daily and
second-person rules. A limit is the largest amount allowed, so "at" passes and "over" fails."""

from __future__ import annotations

from decimal import Decimal

import pytest

from monitor.cases.policy import approver_roles, breaches
from monitor.config import ClearanceSettings
from monitor.vocab import ResolutionKind, Role

POLICY = ClearanceSettings()
CENT = Decimal("0.01")
ZERO = Decimal(0)

# (role, kind, limit) for every configured limit of an action with an amount.
LIMITS = [
    (role, kind, limit)
    for role, kinds in POLICY.limits.items()
    for kind, limit in kinds.items()
    if limit > 0
]
EDGES = [("under", -CENT, False), ("at", ZERO, False), ("over", CENT, True)]


def test_the_table_covers_every_role_and_kind_with_an_amount() -> None:
    """The defaults give each working role a limit for each kind with an amount: 4 x 3."""
    assert {(role, kind) for role, kind, _ in LIMITS} == {
        (role, kind)
        for role in (Role.AGENT, Role.SENIOR, Role.SUPERVISOR, Role.ADMIN)
        for kind in (ResolutionKind.REFUND, ResolutionKind.REPLACEMENT,
                     ResolutionKind.GOODWILL_CREDIT)
    }  # fmt: skip


@pytest.mark.parametrize(("where", "delta", "breached"), EDGES, ids=[e[0] for e in EDGES])
@pytest.mark.parametrize(
    ("role", "kind", "limit"), LIMITS, ids=[f"{r}-{k}-{lim}" for r, k, lim in LIMITS]
)
def test_role_limit_edges(
    role: Role, kind: ResolutionKind, limit: Decimal, where: str, delta: Decimal, breached: bool
) -> None:
    amount = limit + delta
    found = breaches(POLICY, role, kind, amount, order_value=None, granted_today=ZERO)
    rule = f"clearance.limits.{role}.{kind}"
    assert (rule in {b.rule for b in found}) is breached, (where, amount, found)
    if breached:
        [over] = [b for b in found if b.rule == rule]
        assert f"over the {role} limit of ${limit:,.2f}" in over.message
        assert role not in over.approvers  # whoever is over their own limit cannot approve it
    # The approver's view of the same amount: the same limit applies to them.
    as_approver = breaches(
        POLICY, role, kind, amount, order_value=None, granted_today=ZERO, as_approver=True
    )
    assert (rule in {b.rule for b in as_approver}) is breached


@pytest.mark.parametrize(
    ("kind", "role", "refusal"),
    [
        (ResolutionKind.CALLBACK, Role.AGENT, None),
        (ResolutionKind.ESCALATION, Role.AGENT, None),
        # No limit configured for the role: someone else must grant it.
        (ResolutionKind.SECURITY_LOCK, Role.AGENT, "an agent may not grant an account security"),
        (ResolutionKind.SECURITY_LOCK, Role.SENIOR, None),
        (ResolutionKind.REFUND, Role.ANALYST, "an analyst may not grant a refund"),
        (ResolutionKind.CALLBACK, Role.ANALYST, "an analyst may not grant a callback"),
    ],
)
def test_actions_without_a_limit(kind: ResolutionKind, role: Role, refusal: str | None) -> None:
    amount = Decimal(10) if kind == ResolutionKind.REFUND else None
    found = breaches(POLICY, role, kind, amount, order_value=None, granted_today=ZERO)
    if refusal is None:
        assert found == []
    else:
        breach = found[0]  # an analyst's refund also passes their daily limit of $0
        assert breach.rule == f"clearance.limits.{role}.{kind}"
        assert breach.message.startswith(refusal)


@pytest.mark.parametrize(("delta", "breached"), [(-CENT, False), (ZERO, False), (CENT, True)])
def test_high_value_order_edges(delta: Decimal, breached: bool) -> None:
    order_value = POLICY.high_value_order + delta
    found = breaches(
        POLICY, Role.AGENT, ResolutionKind.REFUND, Decimal(10),
        order_value=order_value, granted_today=ZERO,
    )  # fmt: skip
    assert ("clearance.high_value_order" in {b.rule for b in found}) is breached
    senior = breaches(
        POLICY, Role.SENIOR, ResolutionKind.REFUND, Decimal(10),
        order_value=order_value, granted_today=ZERO,
    )  # fmt: skip
    assert senior == []  # seniors are among the high-value roles


@pytest.mark.parametrize(("role", "daily"), sorted(POLICY.daily_limits.items()))
@pytest.mark.parametrize(("delta", "breached"), [(-CENT, False), (ZERO, False), (CENT, True)])
def test_daily_limit_edges(role: Role, daily: Decimal, delta: Decimal, breached: bool) -> None:
    """Granted so far plus this request, against the day's limit (this request is within the
    role's single limit, so only the daily rule can break)."""
    amount = Decimal(10)
    granted = daily - amount + delta
    found = breaches(
        POLICY, role, ResolutionKind.REFUND, amount, order_value=None, granted_today=granted
    )
    assert {b.rule for b in found} == ({f"clearance.daily_limits.{role}"} if breached else set())


@pytest.mark.parametrize(("delta", "breached"), [(-CENT, False), (ZERO, False), (CENT, True)])
def test_second_person_edges(delta: Decimal, breached: bool) -> None:
    amount = POLICY.second_approval_above + delta
    found = breaches(
        POLICY, Role.ADMIN, ResolutionKind.REFUND, amount, order_value=None, granted_today=ZERO
    )
    assert {b.rule for b in found} == ({"clearance.second_approval_above"} if breached else set())
    # The approver is the second person: the rule never applies to them.
    assert breaches(
        POLICY, Role.ADMIN, ResolutionKind.REFUND, amount,
        order_value=None, granted_today=ZERO, as_approver=True,
    ) == []  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "approvers"),
    [
        (Decimal("1000.00"), (Role.SENIOR, Role.SUPERVISOR, Role.ADMIN)),
        (Decimal("1000.01"), (Role.SUPERVISOR, Role.ADMIN)),
        (Decimal("5000.00"), (Role.SUPERVISOR, Role.ADMIN)),
        (Decimal("5000.01"), (Role.ADMIN,)),
        (Decimal("10000.00"), (Role.ADMIN,)),
        (Decimal("10000.01"), ()),
    ],
)
def test_who_can_approve_at_each_edge(amount: Decimal, approvers: tuple[Role, ...]) -> None:
    assert approver_roles(POLICY, ResolutionKind.REFUND, amount, None) == approvers
