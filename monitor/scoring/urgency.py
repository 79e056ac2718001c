"""Combine the model's outputs with business signals into an explainable 0-100 urgency.

Each factor contributes points (weights in config `[urgency]`); the stored breakdown is what
the dashboard shows, so the team can see why a post ranks where it does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from monitor.config import UrgencySettings
from monitor.scoring.model import TextPrediction
from monitor.scoring.signals import TextSignals
from monitor.scoring.stakes import STAKES, StakeHit


@dataclass(frozen=True, slots=True)
class PostContext:
    """What the database knows about a post beyond its text (defaults: a lone public post)."""

    followers: int = 0
    verified: bool = False
    public: bool = True
    earlier_contacts: int = 0  # inbound posts by the same author within the repeat window
    waiting_hours: float = 0.0  # since the author's first unanswered post in this case
    order_value: Decimal | None = None  # value of a linked or mentioned order, if known
    previous_negative: float | None = None  # the author's previous post in this case


@dataclass(frozen=True, slots=True)
class Urgency:
    score: float
    factors: dict[str, float]
    explanation: str


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _reach_label(followers: int) -> str:
    if followers >= 1_000_000:
        return f"{followers / 1_000_000:.1f}M followers"
    if followers >= 1_000:
        return f"{followers / 1_000:.0f}k followers"
    return f"{followers} followers"


def _soft_cap(raw: float) -> float:
    """Linear up to 70, then compressed towards 100, so the most severe posts still rank
    against each other instead of all sitting at a clamped 100."""
    if raw <= 70:
        return max(raw, 0.0)
    return 70.0 + 30.0 * (1.0 - math.exp(-(raw - 70.0) / 30.0))


def compute_urgency(
    prediction: TextPrediction,
    signals: TextSignals,
    context: PostContext,
    weights: UrgencySettings,
    *,
    stakes: Mapping[str, StakeHit] | None = None,
    language_supported: bool = True,
) -> Urgency:
    """`stakes` come from `monitor.scoring.stakes` (none: only the text's keywords count)."""
    factors: dict[str, float] = {}
    reasons: dict[str, str] = {}
    stakes = stakes or {}

    def add(name: str, points: float, reason: str) -> None:
        if points > 0.05:
            factors[name] = round(points, 2)
            reasons[name] = reason

    for stake, hit in stakes.items():
        add(stake, hit.strength * getattr(weights, stake), STAKES[stake])
    # "Cool, thanks for charging me twice": polite words where money or the account is at
    # stake are read as the complaint they are, not as calm.
    sarcastic = prediction.positive > prediction.negative and bool(
        {"money_taken", "account_compromise", "access_loss"} & set(stakes)
    )
    if sarcastic:
        add("negative", prediction.positive * weights.negative, "polite words, money at stake")
    else:
        add(
            "negative",
            prediction.negative * weights.negative,
            f"negative {prediction.negative:.2f}",
        )
    if prediction.complaint is not None:
        add(
            "complaint",
            prediction.complaint * weights.complaint,
            f"complaint {prediction.complaint:.2f}",
        )
    if prediction.severity is not None:
        add(
            "severity",
            min(prediction.severity, 4.0) / 4.0 * weights.severity,
            f"severity {prediction.severity:.1f}/4",
        )
    if context.previous_negative is not None:
        rise = prediction.negative - context.previous_negative
        if rise >= 0.2:
            add("rising_anger", rise * weights.negative * 0.5, "angrier than last message")
    if signals.human_request:
        add("human_request", weights.human_request, "asks for a human")
    value = max(
        (v for v in (signals.max_amount, context.order_value) if v is not None), default=None
    )
    if value is not None and value > Decimal(str(weights.high_value_threshold)):
        add("high_value", weights.high_value, f"${value:,.0f} at stake")
    elif signals.max_amount is not None:
        add("money", weights.money_mentioned, f"mentions ${signals.max_amount:,.2f}")
    if signals.order_numbers:
        add("order_number", weights.order_number, f"order {signals.order_numbers[0]}")
    if context.earlier_contacts > 0:
        contacts = min(context.earlier_contacts, 3)
        add(
            "repeat_contact",
            contacts * weights.repeat_contact,
            f"{_ordinal(context.earlier_contacts + 1)} contact in "
            f"{weights.repeat_window_hours:.0f}h",
        )
    if context.verified or context.followers >= weights.reach_followers:
        label = "verified" if context.verified else _reach_label(context.followers)
        add("reach", weights.reach, label)
    elif context.followers >= weights.reach_followers / 10:
        add("reach", weights.reach * 0.4, _reach_label(context.followers))
    if context.public:
        add("public", weights.public_post, "public post")
    if context.waiting_hours > 0:
        share = min(context.waiting_hours / weights.waiting_hours, 1.0)
        add("waiting", share * weights.waiting, f"waiting {context.waiting_hours:.0f}h")

    raw = sum(factors.values())
    score = _soft_cap(raw)
    if raw > 0:  # contributions are scaled with the cap so they still add up to the score
        factors = {name: round(points * score / raw, 2) for name, points in factors.items()}
    top = sorted(factors, key=lambda name: factors[name], reverse=True)
    explanation = ", ".join(reasons[name] for name in top[:4]) or "nothing urgent: calm, no risk"
    if not language_supported:
        explanation = "language not supported (sentiment unreliable); " + explanation
    return Urgency(score=round(score, 1), factors=factors, explanation=explanation)
