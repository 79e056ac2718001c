"""Alert settings: where alerts go (routes) and when a rule fires.

Route URLs often embed secrets (Slack tokens, webhook keys), so a route names the environment
variable that holds its URL; only a URL without secrets may be written into the config file.
The defaults define no route: a fresh install sends nothing.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section, check_timezone

RULES = (
    "urgency",
    "high_value",
    "security",
    "sla_soon",
    "sla_breached",
    "source_unhealthy",
    "backlog_growing",
    "token_expiring",
    "spike",
    "impostor_reply",
    "approval_waiting",
)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class QuietHours(Section):
    """A daily window (local time of `timezone`) in which the route stays silent."""

    start: str = "22:00"
    end: str = "07:00"
    timezone: str = "UTC"
    # Rules that are sent even in quiet hours (e.g. ["security", "sla_breached"]).
    bypass_rules: tuple[str, ...] = ()

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("must be a 24-hour time like 22:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("bypass_rules")
    @classmethod
    def _known_rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_rules(value)

    def window(self) -> tuple[time, time]:
        return time.fromisoformat(self.start), time.fromisoformat(self.end)


class RouteSettings(Section):
    """One destination (Slack channel, Teams workflow, e-mail, PagerDuty, JSON webhook)."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
    # Name of the environment variable holding the apprise URL (for URLs with secrets) ...
    url_env: str | None = None
    # ... or the apprise URL itself, only when it holds no secret (json://127.0.0.1:9000/hook).
    url: str | None = None
    rules: tuple[str, ...] = ("*",)  # rule names this route receives; "*" for all
    min_urgency: float | None = Field(default=None, ge=0, le=100)  # per-route urgency threshold
    quiet_hours: QuietHours | None = None
    enabled: bool = True

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return value if value == ("*",) else _check_rules(value)

    @model_validator(mode="after")
    def _one_url_source(self) -> RouteSettings:
        if bool(self.url_env) == bool(self.url):
            raise ValueError(
                "give exactly one of url_env (environment variable holding the URL) or url"
            )
        return self

    def wants(self, rule: str) -> bool:
        return self.enabled and ("*" in self.rules or rule in self.rules)


class SpikeSettings(Section):
    enabled: bool = True
    window_minutes: int = Field(default=60, ge=5, le=24 * 60)
    weeks: int = Field(default=4, ge=1, le=12)  # same hour of the week, this many weeks back
    baseline: Literal["median", "mean"] = "median"
    floor: float = Field(default=5.0, ge=0)  # a baseline below this counts as this
    factor: float = Field(default=3.0, gt=1)  # spike: count >= factor x max(baseline, floor)
    min_posts: int = Field(default=10, ge=1)
    group_by: Literal["intent", "terms", "both"] = "both"
    # Intents too generic to name an incident: their posts are grouped by shared key terms.
    generic_intents: tuple[str, ...] = ("other", "product_question")


class RuleSettings(Section):
    urgency_threshold: float = Field(default=80.0, ge=0, le=100)
    high_value_amount: float = Field(default=500.0, ge=0)
    security_intents: tuple[str, ...] = ("account_security", "fraud", "phishing")
    post_lookback_minutes: int = Field(default=60, ge=1)  # newer posts can raise alerts
    sla_warning_minutes: int = Field(default=15, ge=1)
    sla_breach_max_age_hours: float = Field(default=24.0, gt=0)  # older breaches are old news
    token_expiry_hours: float = Field(default=72.0, gt=0)
    backlog_growing_polls: int = Field(default=3, ge=1)  # polls in a row the backlog grew
    # A resolution waiting this long for approval raises `approval_waiting`; unset: never.
    approval_waiting_minutes: int | None = Field(default=None, ge=1)
    disabled: tuple[str, ...] = ()

    @field_validator("disabled")
    @classmethod
    def _known_rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_rules(value)


class DeliverySettings(Section):
    max_attempts: int = Field(default=5, ge=1, le=50)
    backoff_seconds: float = Field(default=60.0, ge=0)  # doubles after each failed attempt
    backoff_max_seconds: float = Field(default=3600.0, ge=0)
    timeout_seconds: float = Field(default=15.0, gt=0)
    batch: int = Field(default=50, ge=1, le=1000)  # alerts per delivery run
    stale_claim_minutes: float = Field(default=10.0, gt=0)  # a crashed sender's claim expires


def _default_cooldowns() -> dict[str, int]:
    return {rule: 60 for rule in RULES} | {
        "spike": 180,
        "source_unhealthy": 240,
        "backlog_growing": 240,
    }


class AlertSettings(Section):
    enabled: bool = True
    routes: tuple[RouteSettings, ...] = ()
    rules: RuleSettings = RuleSettings()
    spike: SpikeSettings = SpikeSettings()
    delivery: DeliverySettings = DeliverySettings()
    # Minutes during which the same rule does not fire again for the same case/source/incident.
    cooldown_minutes: dict[str, int] = Field(default_factory=_default_cooldowns)

    @field_validator("cooldown_minutes")
    @classmethod
    def _known_cooldowns(cls, value: dict[str, int]) -> dict[str, int]:
        _check_rules(tuple(value))
        return _default_cooldowns() | value

    @model_validator(mode="after")
    def _unique_route_names(self) -> AlertSettings:
        names = [route.name for route in self.routes]
        if len(names) != len(set(names)):
            raise ValueError(f"route names must be unique, got {names}")
        return self

    def route(self, name: str) -> RouteSettings | None:
        return next((route for route in self.routes if route.name == name), None)

    def cooldown(self, rule: str) -> int:
        return self.cooldown_minutes.get(rule, 60)


def _check_rules(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [rule for rule in value if rule not in RULES]
    if unknown:
        raise ValueError(f"unknown rule(s) {unknown}; known rules: {', '.join(RULES)}")
    return value
