"""Clearance policy: who may take which resolution, up to what amount, and who must approve.

The rules live in `[clearance]` of the config and are applied here, outside any UI, so the
dashboard, the CLI and scripts all get the same answer and the same explanation. Each rule
has a stable name that refusals quote, so a refusal can be looked up in the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitor.auth.permissions import PERMISSIONS, ROLE_ORDER
from monitor.auth.settings import Role

Action = Literal[
    "refund", "replacement", "goodwill_credit", "callback", "escalation", "security_lock"
]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]
MONETARY = frozenset({"refund", "replacement", "goodwill_credit"})
ACTION_LABELS = {
    "refund": "refund",
    "replacement": "replacement",
    "goodwill_credit": "goodwill credit",
    "callback": "callback (call me now)",
    "escalation": "escalation to a specialist team",
    "security_lock": "account security lock",
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _default_limits() -> dict[Role, dict[Action, Decimal]]:
    zero = Decimal(0)
    return {
        "agent": {
            "refund": Decimal(100), "replacement": Decimal(200), "goodwill_credit": Decimal(25),
            "callback": zero, "escalation": zero,
        },
        "senior": {
            "refund": Decimal(1000), "replacement": Decimal(1000), "goodwill_credit": Decimal(100),
            "callback": zero, "escalation": zero, "security_lock": zero,
        },
        "supervisor": {
            "refund": Decimal(5000), "replacement": Decimal(5000),
            "goodwill_credit": Decimal(500), "callback": zero, "escalation": zero,
            "security_lock": zero,
        },
        "admin": {
            "refund": Decimal(10000), "replacement": Decimal(10000),
            "goodwill_credit": Decimal(1000), "callback": zero, "escalation": zero,
            "security_lock": zero,
        },
    }  # fmt: skip


def _default_daily_limits() -> dict[Role, Decimal]:
    return {
        "agent": Decimal(300),
        "senior": Decimal(3000),
        "supervisor": Decimal(20000),
        "admin": Decimal(50000),
    }


class OrderSystemSettings(_Section):
    """Where approved resolutions are carried out."""

    kind: Literal["ledger", "webhook"] = "ledger"
    # The webhook URL may carry a key, so it is read from this environment variable.
    webhook_url_env: str = "MONITOR_ORDER_WEBHOOK_URL"
    timeout_seconds: float = Field(default=10.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)  # quick retries within one attempt
    # Attempts of the outbound path (monitor/outbound.py) before a call is marked failed, the
    # backoff between them, and when a claim by a stopped process counts as abandoned.
    max_attempts: int = Field(default=5, ge=1, le=50)
    backoff_seconds: float = Field(default=60.0, ge=0)
    backoff_max_seconds: float = Field(default=3600.0, ge=0)
    stale_claim_minutes: float = Field(default=10.0, gt=0)


# A configured amount: never negative, never NaN or infinite (TOML allows both).
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class ClearanceSettings(_Section):
    # role -> action -> largest amount one resolution may have without approval (0 for actions
    # without an amount). An action missing for a role needs someone else's approval.
    limits: dict[Role, dict[Action, Amount]] = Field(default_factory=_default_limits)
    # role -> total amount one user may grant per UTC day (requests and approvals together).
    daily_limits: dict[Role, Amount] = Field(default_factory=_default_daily_limits)
    # Orders worth more than this need one of `high_value_roles` (the $500 rule).
    high_value_order: Amount = Decimal(500)
    high_value_roles: tuple[Role, ...] = ("senior", "supervisor", "admin")
    # Any resolution above this amount needs a second person's approval, whoever asks.
    second_approval_above: Amount = Decimal(1000)
    specialist_teams: tuple[str, ...] = (
        "pharmacy", "devices", "account_security", "billing", "logistics", "accessibility",
    )  # fmt: skip
    order_system: OrderSystemSettings = OrderSystemSettings()

    @field_validator("limits")
    @classmethod
    def _no_analyst_limits(
        cls, value: dict[Role, dict[Action, Decimal]]
    ) -> dict[Role, dict[Action, Decimal]]:
        if value.get("analyst"):
            raise ValueError("analysts only read and export: give them no resolution limits")
        return value


@dataclass(frozen=True)
class Breach:
    """One rule a resolution breaks for one person, and the roles that could approve it."""

    rule: str  # the config key, e.g. clearance.limits.agent.refund
    message: str
    approvers: tuple[str, ...]

    def describe(self) -> str:
        who = ", ".join(self.approvers) if self.approvers else "nobody (change the policy)"
        return f"{self.message} (rule {self.rule}); can approve: {who}"


def a(word: str) -> str:
    """'an agent', 'a senior': messages read as sentences."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def money(amount: Decimal | None) -> str:
    return "-" if amount is None else f"${amount:,.2f}"


def approver_roles(
    policy: ClearanceSettings, action: str, amount: Decimal | None, order_value: Decimal | None
) -> tuple[str, ...]:
    """Roles that may approve this resolution: the approve permission, a high enough limit,
    a high enough daily limit, and the high-value rule."""
    amount = amount or Decimal(0)
    roles = []
    for role in ROLE_ORDER:
        if role not in PERMISSIONS["resolution.approve"]:
            continue
        limit = policy.limits.get(role, {}).get(action)  # type: ignore[call-overload]
        if limit is None or amount > limit:
            continue
        if amount > policy.daily_limits.get(role, Decimal(0)):  # type: ignore[call-overload]
            continue
        high_value = order_value is not None and order_value > policy.high_value_order
        if high_value and role not in policy.high_value_roles:
            continue
        roles.append(role)
    return tuple(roles)


def breaches(
    policy: ClearanceSettings,
    role: str,
    action: str,
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
    label = ACTION_LABELS.get(action, action)
    found: list[Breach] = []
    limits = policy.limits.get(role, {})  # type: ignore[call-overload]
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
    daily = policy.daily_limits.get(role, Decimal(0))  # type: ignore[call-overload]
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
