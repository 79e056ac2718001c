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
    """Every clearance rule `role` would break by taking this resolution itself.

    For the approver the second-person rule does not apply: they are the second person.
    """
    who = approver_roles(policy, action, amount, order_value)
    label = ACTION_LABELS[action]
    found: list[Breach] = []
    limits = policy.limits.get(role, {})
    limit = limits.get(action)
    if limit is None:
        found.append(
            Breach(f"clearance.limits.{role}.{action}", f"{a(role)} may not grant {a(label)}", who)
        )
    elif amount is not None and amount > limit:
        found.append(
            Breach(
                f"clearance.limits.{role}.{action}",
                f"{a(label)} of {money(amount)} is over the {role} limit of {money(limit)}",
                who,
            )
        )
    if (
        order_value is not None
        and order_value > policy.high_value_order
        and role not in policy.high_value_roles
    ):
        needed = ", ".join(policy.high_value_roles)
        found.append(
            Breach(
                "clearance.high_value_order",
                f"the order is worth {money(order_value)}, over {money(policy.high_value_order)}:"
                f" it needs one of {needed}",
                who,
            )
        )
    daily = policy.daily_limits.get(role, Decimal(0))
    if amount and granted_today + amount > daily:
        found.append(
            Breach(
                f"clearance.daily_limits.{role}",
                f"{money(amount)} more would pass the {role} daily limit of {money(daily)} "
                f"({money(granted_today)} granted today)",
                who,
            )
        )
    if not as_approver and amount is not None and amount > policy.second_approval_above:
        found.append(
            Breach(
                "clearance.second_approval_above",
                f"amounts over {money(policy.second_approval_above)} need a second person's "
                "approval",
                who,
            )
        )
    return found
