"""The `[clearance]` settings section: who may take which resolution, up to what amount, and
where approved resolutions are carried out. The rules that apply it live in monitor/cases/policy.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator

from monitor.config.base import Section
from monitor.vocab import ResolutionKind as Action
from monitor.vocab import Role

ACTIONS: tuple[Action, ...] = tuple(Action)


def _default_limits() -> dict[Role, dict[Action, Decimal]]:
    zero, refund, replacement = Decimal(0), Action.REFUND, Action.REPLACEMENT
    credit, callback = Action.GOODWILL_CREDIT, Action.CALLBACK
    escalation, lock = Action.ESCALATION, Action.SECURITY_LOCK
    return {
        Role.AGENT: {
            refund: Decimal(100), replacement: Decimal(200), credit: Decimal(25),
            callback: zero, escalation: zero,
        },
        Role.SENIOR: {
            refund: Decimal(1000), replacement: Decimal(1000), credit: Decimal(100),
            callback: zero, escalation: zero, lock: zero,
        },
        Role.SUPERVISOR: {
            refund: Decimal(5000), replacement: Decimal(5000), credit: Decimal(500),
            callback: zero, escalation: zero, lock: zero,
        },
        Role.ADMIN: {
            refund: Decimal(10000), replacement: Decimal(10000), credit: Decimal(1000),
            callback: zero, escalation: zero, lock: zero,
        },
    }  # fmt: skip


def _default_daily_limits() -> dict[Role, Decimal]:
    return {
        Role.AGENT: Decimal(300),
        Role.SENIOR: Decimal(3000),
        Role.SUPERVISOR: Decimal(20000),
        Role.ADMIN: Decimal(50000),
    }


class OrderSystemSettings(Section):
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


class ClearanceSettings(Section):
    # role -> action -> largest amount one resolution may have without approval (0 for actions
    # without an amount). An action missing for a role needs someone else's approval.
    limits: dict[Role, dict[Action, Amount]] = Field(default_factory=_default_limits)
    # role -> total amount one user may grant per UTC day (requests and approvals together).
    daily_limits: dict[Role, Amount] = Field(default_factory=_default_daily_limits)
    # Orders worth more than this need one of `high_value_roles` (the $500 rule).
    high_value_order: Amount = Decimal(500)
    high_value_roles: tuple[Role, ...] = (Role.SENIOR, Role.SUPERVISOR, Role.ADMIN)
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
        if value.get(Role.ANALYST):
            raise ValueError("analysts only read and export: give them no resolution limits")
        return value
