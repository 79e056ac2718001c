"""Clearance policy: who may take which resolution, up to what amount, and who must approve.

The rules live in `[clearance]` of the config and are applied here, outside any UI, so the
dashboard, the CLI and scripts all get the same answer and the same explanation. Each rule
has a stable name that refusals quote, so a refusal can be looked up in the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from monitor.auth.permissions import PERMISSIONS
from monitor.config.clearance import ClearanceSettings
from monitor.vocab import Permission, Role
from monitor.vocab import ResolutionKind as Action
from monitor.wording import a, money

MONETARY = frozenset({Action.REFUND, Action.REPLACEMENT, Action.GOODWILL_CREDIT})
ACTION_LABELS = {
    Action.REFUND: "refund",
    Action.REPLACEMENT: "replacement",
    Action.GOODWILL_CREDIT: "goodwill credit",
    Action.CALLBACK: "callback (call me now)",
    Action.ESCALATION: "escalation to a specialist team",
    Action.SECURITY_LOCK: "account security lock",
}


@dataclass(frozen=True)
class Breach:
    """One rule a resolution breaks for one person, and the roles that could approve it."""

    rule: str  # the config key, e.g. clearance.limits.agent.refund
    message: str
    approvers: tuple[Role, ...]

    def describe(self) -> str:
        who = ", ".join(self.approvers) if self.approvers else "nobody (change the policy)"
        return f"{self.message} (rule {self.rule}); can approve: {who}"


def approver_roles(
    policy: ClearanceSettings,
    action: Action,
    amount: Decimal | None,
    order_value: Decimal | None,
) -> tuple[Role, ...]:
    """Roles that may approve this resolution: the approve permission, a high enough limit,
    a high enough daily limit, and the high-value rule."""
    amount = amount or Decimal(0)
    roles = []
    for role in Role:
        if role not in PERMISSIONS[Permission.RESOLUTION_APPROVE]:
            continue
        limit = policy.limits.get(role, {}).get(action)
        if limit is None or amount > limit:
            continue
        if amount > policy.daily_limits.get(role, Decimal(0)):
            continue
        high_value = order_value is not None and order_value > policy.high_value_order
        if high_value and role not in policy.high_value_roles:
            continue
        roles.append(role)
    return tuple(roles)


def breaches(
    policy: ClearanceSettings,
    role: Role,
    action: Action,
    amount: Decimal | None,
    *,
    order_value: Decimal | None,
    granted_today: Decimal,
    as_approver: bool = False,
) -> list[Breach]:
    """Every clearance rule `role` would break by taking this resolution itself, one check
    per rule of `[clearance]`.

    For the approver the second-person rule does not apply: they are the second person.
    """
    who = approver_roles(policy, action, amount, order_value)
    found = [
        _role_limit(policy, role, action, amount),
        _high_value(policy, role, order_value),
        _daily_limit(policy, role, amount, granted_today),
        None if as_approver else _second_person(policy, amount),
    ]
    return [Breach(rule, text, who) for rule, text in filter(None, found)]


_Broken = tuple[str, str] | None  # (rule's config key, what it says), or None if kept


def _role_limit(
    policy: ClearanceSettings, role: Role, action: Action, amount: Decimal | None
) -> _Broken:
    label = ACTION_LABELS[action]
    limit = policy.limits.get(role, {}).get(action)
    if limit is None:
        return f"clearance.limits.{role}.{action}", f"{a(role)} may not grant {a(label)}"
    if amount is not None and amount > limit:
        return (
            f"clearance.limits.{role}.{action}",
            f"{a(label)} of {money(amount)} is over the {role} limit of {money(limit)}",
        )
    return None


def _high_value(policy: ClearanceSettings, role: Role, order_value: Decimal | None) -> _Broken:
    if order_value is None or order_value <= policy.high_value_order:
        return None
    if role in policy.high_value_roles:
        return None
    return (
        "clearance.high_value_order",
        f"the order is worth {money(order_value)}, over {money(policy.high_value_order)}: it "
        f"needs one of {', '.join(policy.high_value_roles)}",
    )


def _daily_limit(
    policy: ClearanceSettings, role: Role, amount: Decimal | None, granted_today: Decimal
) -> _Broken:
    daily = policy.daily_limits.get(role, Decimal(0))
    if not amount or granted_today + amount <= daily:
        return None
    return (
        f"clearance.daily_limits.{role}",
        f"{money(amount)} more would pass the {role} daily limit of {money(daily)} "
        f"({money(granted_today)} granted today)",
    )


def _second_person(policy: ClearanceSettings, amount: Decimal | None) -> _Broken:
    if amount is None or amount <= policy.second_approval_above:
        return None
    return (
        "clearance.second_approval_above",
        f"amounts over {money(policy.second_approval_above)} need a second person's approval",
    )
