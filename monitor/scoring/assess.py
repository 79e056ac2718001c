"""Everything read from a batch of post texts beside the model's sentiment: business signals,
stakes, topics, the routing intent and the language. One place, so `monitor score`, the
scheduler's scoring step and the evaluation all read posts the same way."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from monitor.config import StakesSettings
from monitor.scoring.language import SUPPORTED, detect_languages
from monitor.scoring.model import TextModel, TextPrediction
from monitor.scoring.signals import TextSignals, read_signals
from monitor.scoring.stakes import DOUBLE_CHARGE, StakeHit, detector_for
from monitor.scoring.text import straight_quotes
from monitor.scoring.topics import TOPICS, floor_topics, route_intent, topics_above

# Stakes that mean something went wrong with money or the account: a post carrying one is
# not praise however polite it sounds ("cool, thanks for charging me twice").
PROBLEM_STAKES = frozenset(
    {"money_taken", "account_compromise", "access_loss", "legal_threat", "safety"}
)
# Stakes that settle a topic even when the head is unsure. The head has almost no training
# examples of fraud (none in Bitext, a handful of brand replies), so the stakes' exemplars and
# keywords carry that topic.
STAKE_TOPICS = {
    "account_compromise": "account_security",
    "money_taken": "account_security",
    "access_loss": "account_access",
}
STAKE_TOPIC_STRENGTH = 0.5  # a similar-but-not-keyword stake must be at least this strong
# A parcel stolen from the doorstep is the delivery team's (labelling guideline): nobody got
# into the account, though "stolen" pulls the head towards fraud.
STOLEN_PARCEL = re.compile(
    r"\b(?:(?:packages?|parcels?|deliver(?:y|ies)|boxe?s?|items?|orders?)\s+(?:\w+\s+){0,3}"
    r"(?:stolen|nicked|swiped|taken)|(?:stolen|nicked|swiped)\s+(?:\w+\s+){0,2}(?:packages?|"
    r"parcels?|deliver(?:y|ies)|boxe?s?)|(?:stolen|taken|nicked|swiped)\s+(?:from|off)\s+"
    r"(?:my|our|the)\s+(?:porch|doorstep|door|step|steps|mailbox|letterbox|lobby|building|"
    r"garden|front))\b",
    re.IGNORECASE,
)
# A thank-you that closes the matter ("hacking issue solved, thanks!") needs no one, whatever
# it was about: labelling guideline, level 0. Not when the words are negated ("still not
# sorted") or the post is not glad.
CLOSED = re.compile(
    r"\b(?:(?:all|now|finally|been|got\s+it|issue|problem|it'?s|its|it\s+is|that'?s|everything"
    r"(?:'?s|\s+is)?|all\s+is)\s+(?:(?!not\b|never\b|yet\b)\w+\s+)?(?:sorted|solved|resolved|"
    r"fixed|working\s+(?:again|now|fine))|working\s+again|got\s+(?:it|my\s+(?:account|money|"
    r"refund|parcel|package))\s+back|all\s+good\s+now|no\s+(?:more\s+)?issues\s+(?:since|so\s+"
    r"far))\b",
    re.IGNORECASE,
)
# "still not sorted", "hope it's fixed soon", "when it's resolved": not settled yet
_NOT_YET = re.compile(
    r"\b(?:not|n't|never|yet|no\s+longer|hope|hoping|when|until|till|once|if|unless|get|gets|"
    r"to\s+be|need|needs|want)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)


def closed_matter(text: str, prediction: TextPrediction) -> bool:
    """Glad words that say the matter is settled, not negated just before."""
    if prediction.positive <= prediction.negative:
        return False
    return any(
        not _NOT_YET.search(text[max(0, m.start() - 30) : m.start()]) for m in CLOSED.finditer(text)
    )


@dataclass(frozen=True, slots=True)
class Assessment:
    signals: TextSignals
    stakes: dict[str, StakeHit]
    topic_scores: dict[str, float]  # every topic's probability; empty without a topic head
    topics: tuple[str, ...]  # topics above their thresholds, most probable first
    intent: str  # the routing intent, chosen from `topics` by ROUTING_PRIORITY
    language: str  # ISO 639-1, or "und"

    @property
    def language_supported(self) -> bool:
        return self.language in SUPPORTED or self.language == "und"

    @property
    def sarcastic(self) -> bool:
        """Positive words where money or the account is at stake."""
        return bool(PROBLEM_STAKES & set(self.stakes))


def assess(
    texts: Sequence[str],
    predictions: Sequence[TextPrediction],
    model: TextModel,
    stakes_settings: StakesSettings,
) -> list[Assessment]:
    detector = detector_for(stakes_settings, model)
    embeddings = [p.embedding for p in predictions if p.embedding is not None]
    matrix = np.stack(embeddings) if embeddings and len(embeddings) == len(predictions) else None
    all_stakes = detector.detect(texts, matrix)
    languages = detect_languages(texts)
    head = getattr(model, "topic_head", None)
    thresholds = head.thresholds if head is not None else {}
    results = []
    for text, prediction, stakes, language in zip(
        texts, predictions, all_stakes, languages, strict=True
    ):
        signals = read_signals(text)
        if stakes and closed_matter(text, prediction):
            stakes = {}
        scores = dict(prediction.topics or {})
        if scores:
            topics = [t for t in topics_above(scores, thresholds) if t != "other"]
        else:
            topics = [signals.intent] if signals.intent != "other" else []
        topics += [t for t in floor_topics(text) if t not in topics]
        # Charged twice for one's own order: money taken, but a billing matter for the billing
        # team, not fraud, unless something else says the account is not the customer's alone.
        double_charge = bool(DOUBLE_CHARGE.search(straight_quotes(text))) and not (
            "account_compromise" in stakes or signals.security_terms
        )
        for stake, topic in STAKE_TOPICS.items():
            hit = stakes.get(stake)
            if stake == "money_taken" and double_charge:
                topic = "billing"
            if hit is not None and hit.strength >= STAKE_TOPIC_STRENGTH and topic not in topics:
                topics.append(topic)
        if (double_charge or _stolen_parcel_only(text, stakes)) and "account_security" in topics:
            topics.remove("account_security")
        if PROBLEM_STAKES & set(stakes) and "praise" in topics:
            topics.remove("praise")
        topics = topics or ["other"]
        results.append(
            Assessment(
                signals=signals,
                stakes=stakes,
                topic_scores=scores,
                topics=tuple(topics),
                intent=route_intent(topics),
                language=language,
            )
        )
    return results


def _stolen_parcel_only(text: str, stakes: dict[str, StakeHit]) -> bool:
    """A stolen parcel with no keyword sign that the account or the card was used too."""
    return bool(STOLEN_PARCEL.search(text)) and not any(
        stakes[s].how == "keyword" for s in ("account_compromise", "money_taken") if s in stakes
    )


__all__ = ["TOPICS", "Assessment", "assess"]
