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


class _Points:
    """Factors in the order they were added (ties in the explanation keep that order)."""

    def __init__(self) -> None:
        self.factors: dict[str, float] = {}
        self.reasons: dict[str, str] = {}

    def add(self, name: str, points: float, reason: str) -> None:
        if points > 0.05:
            self.factors[name] = round(points, 2)
            self.reasons[name] = reason


def compute_urgency(
    prediction: TextPrediction,
    signals: TextSignals,
    context: PostContext,
    weights: UrgencySettings,
    *,
    stakes: Mapping[str, StakeHit] | None = None,
    topic_scores: Mapping[str, float] | None = None,
    language_supported: bool = True,
) -> Urgency:
    """`stakes` come from `monitor.scoring.stakes` (none: only the text's keywords count);
    `topic_scores` are the topic head's probabilities (none without a head)."""
    points = _Points()
    stakes = stakes or {}
    for stake, hit in stakes.items():
        # A stake the post only resembles (no keyword) is less certain than one it states.
        share = 1.0 if hit.how == "keyword" else weights.similar_stake_share
        points.add(stake, hit.strength * share * getattr(weights, stake), STAKES[stake])
    if language_supported:
        _tone(points, prediction, context, weights, stakes)
        if topic_scores:
            _needs_answer(points, topic_scores, weights, _sarcastic(prediction, stakes))
    else:
        # The model reads English only: its tone and topic readings of other languages are
        # noise that sank every such post to the bottom of the queue. A fixed stand-in puts
        # them among the typical posts; their stakes still come from the keyword floors.
        points.add("unread_language", weights.unread_language, "tone not read")
    _request(points, signals, context, weights)
    _author(points, context, weights)
    return _combine(points, language_supported)


def _tone(
    points: _Points,
    prediction: TextPrediction,
    context: PostContext,
    weights: UrgencySettings,
    stakes: Mapping[str, StakeHit],
) -> None:
    """What the model read: negativity, complaint, severity, and anger rising in the case."""
    if _sarcastic(prediction, stakes):
        points.add(
            "negative", prediction.positive * weights.negative, "polite words, money at stake"
        )
    else:
        points.add(
            "negative",
            prediction.negative * weights.negative,
            f"negative {prediction.negative:.2f}",
        )
    if prediction.complaint is not None:
        points.add(
            "complaint",
            prediction.complaint * weights.complaint,
            f"complaint {prediction.complaint:.2f}",
        )
    if prediction.severity is not None:
        points.add(
            "severity",
            min(prediction.severity, 4.0) / 4.0 * weights.severity,
            f"severity {prediction.severity:.1f}/4",
        )
    if context.previous_negative is not None:
        rise = prediction.negative - context.previous_negative
        if rise >= 0.2:
            points.add("rising_anger", rise * weights.negative * 0.5, "angrier than last message")


def _sarcastic(prediction: TextPrediction, stakes: Mapping[str, StakeHit]) -> bool:
    """Polite words where money or the account is at stake ("cool, thanks for charging me
    twice") are read as the complaint they are, not as calm."""
    return prediction.positive > prediction.negative and bool(
        {"money_taken", "account_compromise", "access_loss"} & set(stakes)
    )


def _needs_answer(
    points: _Points, topic_scores: Mapping[str, float], weights: UrgencySettings, sarcastic: bool
) -> None:
    """Thanks, praise and chit-chat need no one; anything else (a question, a problem) does.
    The topic head tells them apart better than tone: a calm "where is my parcel?" needs an
    answer, a gushing "thank you!!" does not. Polite words about money taken are not thanks."""
    praise = 0.0 if sarcastic else topic_scores.get("praise", 0.0)
    idle = max(praise, topic_scores.get("other", 0.0))
    points.add("needs_answer", (1.0 - idle) * weights.needs_answer, "needs an answer")


def _request(
    points: _Points, signals: TextSignals, context: PostContext, weights: UrgencySettings
) -> None:
    """What the post asks for or mentions: a human, money, an order."""
    if signals.human_request:
        points.add("human_request", weights.human_request, "asks for a human")
    value = max(
        (v for v in (signals.max_amount, context.order_value) if v is not None), default=None
    )
    if value is not None and value > Decimal(str(weights.high_value_threshold)):
        points.add("high_value", weights.high_value, f"${value:,.0f} at stake")
    elif signals.max_amount is not None:
        points.add("money", weights.money_mentioned, f"mentions ${signals.max_amount:,.2f}")
    if signals.order_numbers:
        points.add("order_number", weights.order_number, f"order {signals.order_numbers[0]}")


def _author(points: _Points, context: PostContext, weights: UrgencySettings) -> None:
    """Who wrote it and how: repeat contacts, reach, a public post, time spent waiting."""
    if context.earlier_contacts > 0:
        contacts = min(context.earlier_contacts, 3)
        points.add(
            "repeat_contact",
            contacts * weights.repeat_contact,
            f"{_ordinal(context.earlier_contacts + 1)} contact in "
            f"{weights.repeat_window_hours:.0f}h",
        )
    if context.verified or context.followers >= weights.reach_followers:
        label = "verified" if context.verified else _reach_label(context.followers)
        points.add("reach", weights.reach, label)
    elif context.followers >= weights.reach_followers / 10:
        points.add("reach", weights.reach * 0.4, _reach_label(context.followers))
    if context.public:
        points.add("public", weights.public_post, "public post")
    if context.waiting_hours > 0:
        share = min(context.waiting_hours / weights.waiting_hours, 1.0)
        points.add("waiting", share * weights.waiting, f"waiting {context.waiting_hours:.0f}h")


def _combine(points: _Points, language_supported: bool) -> Urgency:
    """The soft-capped score, factors scaled with the cap so they still add up to it, and the
    four largest reasons as the explanation."""
    factors = points.factors
    raw = sum(factors.values())
    score = _soft_cap(raw)
    if raw > 0:  # contributions are scaled with the cap so they still add up to the score
        factors = {name: round(value * score / raw, 2) for name, value in factors.items()}
    top = sorted(factors, key=lambda name: factors[name], reverse=True)
    reasons = points.reasons
    explanation = ", ".join(reasons[name] for name in top[:4]) or "nothing urgent: calm, no risk"
    if not language_supported:
        explanation = "language not supported (sentiment unreliable); " + explanation
    return Urgency(score=round(score, 1), factors=factors, explanation=explanation)
