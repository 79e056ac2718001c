"""How well urgency, topics and language agree with hand labels of real customer tweets.

Figures per split (`dev` and `test` are the ones weights and thresholds may be tuned on;
`holdout` is held out), per stratum, and per brand with `MIN_BRAND_POSTS` tweets or more:

* urgency: Spearman of the urgency score with the 0-3 label, and ROC AUC of the top level
  (3 against the rest), beside the same figures for a keyword-count baseline (how many of the
  product's keyword rules fire: stakes floors, human request, security terms, money, order);
* topics: per-topic precision, recall and F1 of the model's topics, beside the keyword
  intent rule (one topic per post);
* language: accuracy of the detected language.

Each tweet is scored as a lone public post (the labels carry no follower or order history).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from monitor.config import StakesSettings, UrgencySettings
from monitor.scoring.assess import Assessment, assess
from monitor.scoring.model import TextModel
from monitor.scoring.signals import human_request, read_signals
from monitor.scoring.stakes import keyword_stakes
from monitor.scoring.topics import TOPICS
from monitor.scoring.training.evaluate import spearman
from monitor.scoring.training.labelled_tweets import LabelledTweet
from monitor.scoring.urgency import PostContext, compute_urgency


class Correction(Protocol):
    """What an agent told the model about one post (monitor/cases/feedback.py stores them);
    described here so scoring does not depend on the team's workflow."""

    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...  # "intent" or "urgency"
    @property
    def intent(self) -> str | None: ...
    @property
    def model_urgency(self) -> float: ...
    @property
    def urgency_direction(self) -> int | None: ...


def keyword_count(text: str) -> int:
    """The baseline: how many of the keyword rules fire on a text."""
    signals = read_signals(text)
    return (
        len(keyword_stakes(text))
        + int(human_request(text))
        + int(bool(signals.security_terms))
        + int(signals.max_amount is not None)
        + int(bool(signals.order_numbers))
    )


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """Probability that a random positive outranks a random negative (ties count half)."""
    import pandas as pd

    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = pd.Series(scores.astype(float)).rank().to_numpy()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _f1(predicted: Sequence[set[str]], gold: Sequence[set[str]], topic: str) -> dict:
    tp = sum(1 for p, g in zip(predicted, gold, strict=True) if topic in p and topic in g)
    fp = sum(1 for p, g in zip(predicted, gold, strict=True) if topic in p and topic not in g)
    fn = sum(1 for p, g in zip(predicted, gold, strict=True) if topic not in p and topic in g)
    f1 = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return {"support": tp + fn, "f1": round(f1, 3), "predicted": tp + fp}


@dataclass
class ScoredPost:
    post: LabelledTweet
    urgency: float
    baseline: int
    seen: Assessment


def score_labelled(
    posts: Sequence[LabelledTweet],
    model: TextModel,
    weights: UrgencySettings,
    stakes: StakesSettings,
) -> list[ScoredPost]:
    texts = [p.text for p in posts]
    predictions = model.predict(texts)
    assessments = assess(texts, predictions, model, stakes)
    scored = []
    for post, prediction, seen in zip(posts, predictions, assessments, strict=True):
        urgency = compute_urgency(
            prediction,
            seen.signals,
            PostContext(),
            weights,
            stakes=seen.stakes,
            topic_scores=seen.topic_scores,
            language_supported=seen.language_supported,
        )
        scored.append(ScoredPost(post, urgency.score, keyword_count(post.text), seen))
    return scored


def metrics(scored: Sequence[ScoredPost]) -> dict:
    """All figures for one group of labelled posts."""
    if not scored:
        return {"posts": 0}
    gold_urgency = np.array([s.post.urgency for s in scored])
    model_urgency = np.array([s.urgency for s in scored])
    baseline = np.array([s.baseline for s in scored], dtype=float)
    top = gold_urgency == 3
    gold_topics = [set(s.post.topics) for s in scored]
    model_topics = [set(s.seen.topics) for s in scored]
    keyword_topics = [{s.seen.signals.intent} for s in scored]
    result: dict = {
        "posts": len(scored),
        "urgency_levels": {str(k): int((gold_urgency == k).sum()) for k in range(4)},
        "urgency_spearman": _round(spearman(model_urgency, gold_urgency)),
        "urgency_top_auc": _round(roc_auc(model_urgency, top)),
        "baseline_spearman": _round(spearman(baseline, gold_urgency)),
        "baseline_top_auc": _round(roc_auc(baseline, top)),
        "topics": {
            topic: {
                "model": _f1(model_topics, gold_topics, topic),
                "keyword_rule_f1": _f1(keyword_topics, gold_topics, topic)["f1"],
            }
            for topic in TOPICS
        },
        "language_accuracy": round(
            float(np.mean([s.seen.language == s.post.language for s in scored])), 3
        ),
    }
    access = [
        {"account"} if p & {"account_access", "account_security"} else set() for p in model_topics
    ]
    gold_access = [
        {"account"} if g & {"account_access", "account_security"} else set() for g in gold_topics
    ]
    result["account_access_or_security_f1"] = _f1(access, gold_access, "account")["f1"]
    return result


def _round(value: float | None) -> float | None:
    return None if value is None or np.isnan(value) else round(value, 3)


# Brands with at least this many tweets in a split get their own figures: a team reads how
# the model does on posts like its own (a retailer's handle), not only on the mix.
MIN_BRAND_POSTS = 30
_GROUP_FIGURES = ("posts", "urgency_spearman", "urgency_top_auc", "baseline_top_auc")


def report(scored: Sequence[ScoredPost]) -> dict:
    """Figures per split, and per stratum and per large brand within each split."""
    by_split: dict[str, list[ScoredPost]] = defaultdict(list)
    for s in scored:
        by_split[s.post.split].append(s)
    out = {}
    for split, rows in sorted(by_split.items()):
        strata: dict[str, list[ScoredPost]] = defaultdict(list)
        brands: dict[str, list[ScoredPost]] = defaultdict(list)
        for s in rows:
            strata[s.post.stratum or "all"].append(s)
            brands[s.post.brand].append(s)
        out[split] = metrics(rows) | {
            "by_stratum": {name: _group(group) for name, group in sorted(strata.items())},
            "by_brand": {
                name: _group(group, delivery=True)
                for name, group in sorted(brands.items())
                if len(group) >= MIN_BRAND_POSTS
            },
        }
    return out


def _group(rows: Sequence[ScoredPost], *, delivery: bool = False) -> dict:
    figures = metrics(rows)
    out = {k: v for k, v in figures.items() if k in _GROUP_FIGURES}
    if delivery:  # none where the brand's tweets hold no delivery at all (SpotifyCares)
        found = figures["topics"]["delivery"]["model"]
        out["delivery_f1"] = found["f1"] if found["support"] else None
    return out


def corrections_agreement(
    corrections: Sequence[Correction],
    model: TextModel,
    weights: UrgencySettings,
    stakes: StakesSettings,
) -> dict:
    """How far the current model agrees with what agents told it.

    Intent: the share of corrected posts the model now routes to the agent's intent (the
    model that was corrected agreed with none of them). Urgency: the share of "more urgent"
    posts the model now scores above the score the agent saw, and of "less urgent" below.
    """
    if not corrections:
        return {"corrections": 0}
    texts = [c.text for c in corrections]
    predictions = model.predict(texts)
    assessments = assess(texts, predictions, model, stakes)
    intent_hits: list[bool] = []
    urgency_hits: list[bool] = []
    for c, prediction, seen in zip(corrections, predictions, assessments, strict=True):
        if c.kind == "intent":
            intent_hits.append(seen.intent == c.intent)
            continue
        score = compute_urgency(
            prediction, seen.signals, PostContext(), weights, stakes=seen.stakes,
            topic_scores=seen.topic_scores,
            language_supported=seen.language_supported,
        ).score  # fmt: skip
        moved = score - c.model_urgency
        urgency_hits.append(moved > 0 if (c.urgency_direction or 0) > 0 else moved < 0)
    return {
        "corrections": len(corrections),
        "intent_corrections": len(intent_hits),
        "intent_agreement": round(float(np.mean(intent_hits)), 3) if intent_hits else None,
        "urgency_feedback": len(urgency_hits),
        "urgency_agreement": round(float(np.mean(urgency_hits)), 3) if urgency_hits else None,
        "note": "urgency is rescored as a lone public post, without the case's history",
    }
