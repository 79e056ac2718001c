"""Multi-label routing topics: a small trained head on the encoder's sentence embedding.

Every post gets a probability for every topic (one sigmoid per topic, so a late parcel that
was also charged twice can be both `delivery` and `billing`). The head is a linear layer on
the same unit-length embedding the sentiment heads read, so it costs one matrix product per
batch and no second model call. It is trained by `monitor model train` (see
`monitor/scoring/training/topic_head.py`) and committed under `artifacts/<version>/`.

The routing intent (one team per post) is chosen from the topics by `route_intent`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monitor.scoring.model import ModelUnavailableError

TOPICS = (
    "delivery",
    "refund_return",
    "billing",
    "account_access",
    "account_security",
    "cancellation",
    "product_question",
    "support_complaint",
    "praise",
    "other",
)
HEAD_FILE = "topic_head.safetensors"
META_FILE = "metadata.json"

# Routing priority. Fraud and account takeover go first whatever else the post says: they
# have their own round-the-clock team, and money or an account may be lost while the post
# waits. Lost access next (the customer cannot help themselves). Then delivery: a parcel
# that never came is fixed by the delivery team even when the post also mentions Prime, a
# charge or a refund. Support complaints, questions and praise only route a post when no
# concrete problem is above its threshold.
ROUTING_PRIORITY = (
    "account_security",
    "account_access",
    "delivery",
    "refund_return",
    "cancellation",
    "billing",
    "support_complaint",
    "product_question",
    "praise",
)


def centre(embeddings: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """Remove the common mean and the dominant directions, then re-normalise.

    The encoder was fine-tuned for sentiment, so its raw sentence vectors are dominated by a
    few directions (mostly tone): "I need it today" is closer to "thanks for the help" than
    to "my parcel is late". Removing them ("all-but-the-top", Mu & Viswanath 2018) makes
    cosine similarity follow what a post is about again.
    """
    vectors = embeddings.astype(np.float32) - mean
    vectors -= (vectors @ components.T) @ components
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


@dataclass(frozen=True)
class TopicHead:
    version: str
    weight: np.ndarray  # [H + T, T]: embedding then keyword flags
    bias: np.ndarray  # [T]
    thresholds: dict[str, float]
    mean: np.ndarray  # [H] embedding mean of the centring step
    components: np.ndarray  # [K, H] dominant directions removed by the centring step

    @classmethod
    def load(cls, folder: Path) -> TopicHead:
        head, meta = folder / HEAD_FILE, folder / META_FILE
        if not head.exists() or not meta.exists():
            raise ModelUnavailableError(
                f"No topic head at {folder} (needs {HEAD_FILE} and {META_FILE}): train it with "
                '`monitor model train` or set model.topic_head = "" to route by keywords.'
            )
        from safetensors.numpy import load_file

        tensors = load_file(str(head))
        metadata = json.loads(meta.read_text(encoding="utf-8"))
        if tuple(metadata["topics"]) != TOPICS:
            raise ModelUnavailableError(
                f"Topic head at {folder} has topics {metadata['topics']}, expected {list(TOPICS)}"
            )
        return cls(
            version=metadata["version"],
            weight=tensors["weight"].astype(np.float32),
            bias=tensors["bias"].astype(np.float32),
            thresholds={t: float(metadata["thresholds"][t]) for t in TOPICS},
            mean=tensors["mean"].astype(np.float32),
            components=tensors["components"].astype(np.float32),
        )

    def centre(self, embeddings: np.ndarray) -> np.ndarray:
        return centre(embeddings, self.mean, self.components)

    def probabilities(self, embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """[N, T] topic probabilities from the encoder's raw (uncentred) embeddings (the
        centring that helps similarity drops directions the head can use) and the keyword
        rule's flags."""
        logits = topic_features(embeddings, texts) @ self.weight + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    @staticmethod
    def as_dict(row: np.ndarray) -> dict[str, float]:
        return {topic: round(float(p), 4) for topic, p in zip(TOPICS, row, strict=True)}


def topic_features(embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """What the head reads: the sentence embedding plus one flag per topic for whether the
    keyword rule's pattern for that topic matches (not first-match: every pattern). The head
    learns how far to trust each keyword; alone they route worse than the head."""
    from monitor.scoring.signals import intent_patterns

    patterns = intent_patterns()
    flags = np.array(
        [[float(t in patterns and bool(patterns[t].search(x))) for t in TOPICS] for x in texts],
        dtype=np.float32,
    ).reshape(len(texts), len(TOPICS))
    return np.hstack([embeddings.astype(np.float32), flags])


def topics_above(probabilities: Mapping[str, float], thresholds: Mapping[str, float]) -> list[str]:
    """Every topic at or above its threshold, most probable first; `other` only if none."""
    found = [
        t for t in TOPICS if t != "other" and probabilities.get(t, 0.0) >= thresholds.get(t, 0.5)
    ]
    found.sort(key=lambda t: probabilities[t], reverse=True)
    return found or ["other"]


def route_intent(topics: list[str]) -> str:
    """The one team a post goes to: the first topic of `ROUTING_PRIORITY` it carries."""
    for topic in ROUTING_PRIORITY:
        if topic in topics:
            return topic
    return "other"
