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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monitor.scoring.model import ModelUnavailableError
from monitor.scoring.text import KeywordFloors, international_patterns

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


_I = re.IGNORECASE
_NOT = (
    r"(?:hasn'?t|has\s+not|haven'?t|have\s+not|didn'?t|did\s+not|still\s+(?:not|hasn'?t)|never|"
    r"not\s+yet|yet\s+to|wasn'?t|was\s+not|isn'?t|is\s+not|won'?t)"
)
_GOODS = (
    r"(?:packages?|parcels?|orders?|delivery|items?|shipments?|box|stuff|purchases?|food|groceries|"
    r"phone|laptop)"
)
# Keywords as a floor under the head: a post that says one of these plainly carries the topic
# even when the head is unsure (the head learnt mostly from chatbot-style utterances, and a
# keyword rule routes plain delivery complaints well). Unlike the first-match keyword intent in
# `signals`, each floor is narrow: "missing songs", a "cable package" or an Uber "driver" are
# not deliveries, and "I disabled the app" is not a locked account.
TOPIC_FLOORS: dict[str, re.Pattern[str]] = {
    "delivery": re.compile(
        r"\b(?:deliver(?:y|ies|ed|ing)?|parcels?|couriers?|shipping|shipped|shipment|"
        r"dispatch(?:ed)?|tracking|porch|doorstep|in\s+transit|out\s+for\s+delivery|fedex|"
        # UPS the carrier, not "follow ups" or "ups and downs"
        r"(?:via|with|by|from|through|the|your|my)\s+ups|ups\s+(?:driver|guy|man|truck|van|"
        r"delivery|store|access|tracking|lost|left|says|said|is|has|was|never|didn'?t|won'?t)|"
        r"usps|dhl|hermes|royal\s+mail|(?:my|the|a|your)\s+packages?|"
        r"mis-?ship\w*|mis-?deliver\w*|someone\s+else'?s\s+(?:order|package|parcel|item|stuff)|"
        r"(?:sent|delivered|went|gone|shipped|left|taken|dropped)\s+(?:\w+\s+){0,2}(?:to|at)\s+"
        r"(?:the\s+|a\s+)?wrong\s+(?:address|house|door|flat|apartment)|"
        r"wrong\s+(?:size|colou?r|model)|not\s+what\s+i\s+ordered|"
        # "if you don't receive an item"; not "it doesn't show up" (an app, not a parcel)
        r"(?:don'?t|do\s+not|doesn'?t|does\s+not)\s+(?:\w+\s+)?(?:receive|arrive)\s+(?:an?\s+|"
        r"the\s+|"
        r"my\s+|your\s+)?(?:\w+\s+)?" + _GOODS + r"|"
        r"(?:sent|received|got)\s+(?:me\s+)?the\s+wrong|"
        r"(?:still\s+)?waiting\s+(?:for|on)\s+(?:my|the|our|an?)\s+(?:\w+\s+)?" + _GOODS + r"|"
        r"(?:supposed|meant|due|expected)\s+to\s+(?:arrive|be\s+delivered)|"
        + _GOODS
        + r"\s+(?:was|is)\s+(?:supposed|meant|due|expected)\s+to\s+(?:come|be\s+here)|"
        r"empty\s+(?:box|package|parcel)|(?:box|package|parcel)\s+(?:was|came|arrived)\s+empty|"
        r"no\s+sign\s+of\s+(?:my|the|our)\s+(?:\w+\s+)?" + _GOODS + r"|"
        r"no\s+sign\s+of\s+(?:my|the|our|it|them)\b(?:\s+\w+){0,3}\s+(?:i|we)\s+(?:ordered|bought)|"
        + _NOT
        # "doesn't come with a charger" is about the product
        + r"\s+(?:\w+\s+){0,2}(?:arriv\w*|(?:come|came)(?!\s+with\b)|turned\s+up|shown\s+up|"
        r"show\s+up|"
        # an e-mail, call or reply that never came is not a parcel
        r"received?(?!\s+(?:an?\s+|any\s+|the\s+|your\s+|my\s+)?(?:e-?mails?|(?:phone\s+)?calls?|"
        r"repl(?:y|ies)|responses?|texts?|codes?|messages?|answers?|dms?)\b)|got\s+it)|"
        r"where\s+is\s+my\s+(?:\w+\s+)?"
        + _GOODS
        + r"|(?:lost|missing|late|stolen|damaged|wrong|delayed)\s+(?:\w+\s+)?"
        + _GOODS
        + r"|"
        + _GOODS
        + r"\s+(?:is\s+|was\s+|got\s+|has\s+been\s+|arrived\s+)?(?:lost|missing|late|stolen|"
        r"damaged|delayed|broken|crushed|smashed))\b",
        _I,
    ),
    "refund_return": re.compile(
        r"\b(?:refund\w*|returns?|returned|returning|money\s+back|reimburs\w*|exchange|"
        r"compensat\w*|credit\s+(?:back|my\s+account)|charge\s+back|send\s+(?:it|them|this|"
        r"these|that)\s+back|keep\s+my\s+(?:\w+\s+)?money|(?:where'?s|where\s+is|"
        r"no\s+sign\s+of)\s+my\s+"
        r"money|pay\s+for\s+the\s+damages?|(?:be|been|was|get|got|being)\s+credited|still\s+no\s+"
        r"credit)\b",
        _I,
    ),
    "account_access": re.compile(
        r"\b(?:(?:can'?t|cannot|can\s+not|unable\s+to|won'?t\s+let\s+me|wouldn'?t\s+let\s+me|"
        r"couldn'?t|not\s+able\s+to|trouble|problems?|issues?)\s+(?:\w+\s+){0,3}(?:log\s*(?:in|on)|"
        r"logging\s+in|login|sign\s*(?:in|on)|signing\s+in|access\s+(?:my|the)\s+account|"
        r"get\s+(?:in|into)\s+(?:my|the)\s+account)|locked\s+out|account\s+(?:is\s+|was\s+|"
        r"got\s+|has\s+been\s+)?(?:locked|blocked|suspended|disabled|deactivated)|"
        r"(?:password|pw)\s+reset|reset\s+(?:my\s+|the\s+)?password|forg[eo]t(?:ten)?\s+"
        r"(?:my\s+|the\s+|which\s+)?(?:password|email|username|login)|(?:don'?t|can'?t)\s+"
        r"remember\s+(?:my\s+|the\s+|what\s+|which\s+)?(?:password|email|username|login)|"
        r"(?:wrong|incorrect|invalid)\s+password|verification\s+code|two[-\s]?(?:step|factor)|"
        r"2fa|2[-\s]?(?:step|factor)|(?:change|update|reset)\s+(?:the\s+|my\s+)?(?:e-?mail(?:\s+"
        r"address)?|password|phone\s+number|login|username)\s+(?:on|for|of)\s+(?:my|the)\s+"
        r"account)\b",
        _I,
    ),
}


# The same floors in the other languages customers write to an international retailer in
# (the encoder and the head read English only, so for these posts the floor is all there is).
# Latin-script words as whole words; Japanese has no spaces, so its words match anywhere.
_INTERNATIONAL_FLOORS: dict[str, tuple[str, str]] = {
    "delivery": (
        # es / pt / de / fr / it
        r"paquetes?|repartidor|entrega(?:do|da|r)?|env[ií]o|llega(?:do|r|n)?|sin\s+llegar|"
        r"encomenda|n[aã]o\s+chegou|chega(?:r|do)|entregue|"
        r"bestellung|lieferung|paket|zustell\w*|unzustellbar|geliefert|nicht\s+angekommen|"
        r"colis|livraison|livr[ée]e?|pacco|consegna(?:to)?",
        r"届か|届いて|届きません|配達|配送|荷物|追跡|発送|梱包",  # ja
    ),
    "refund_return": (
        r"reembols\w*|devoluci[oó]n|devolver|estorno|devolu[cç][aã]o|r[uü]ckerstattung|"
        r"erstatt\w*|geld\s+(?:\w+\s+)?(?:wieder|zur[uü]ck)|retoure|rembours\w*|rimbors\w*",
        r"返金|返品|払い戻",
    ),
}
INTERNATIONAL_FLOORS = international_patterns(_INTERNATIONAL_FLOORS)


# An e-mail, code or reply that never came is not a parcel ("the reset email never arrives"):
# such phrases are left out before the floors are read.
_NOT_A_PARCEL = re.compile(
    r"\b(?:e-?mails?|codes?|texts?|sms|repl(?:y|ies)|responses?|messages?|calls?|otps?|links?)\s+"
    r"(?:\w+\s+){0,2}" + _NOT + r"\s+(?:\w+\s+){0,2}(?:arriv\w*|come|came|turned\s+up|shown?\s+up)",
    _I,
)
_FLOORS = KeywordFloors(TOPIC_FLOORS, INTERNATIONAL_FLOORS, skip=_NOT_A_PARCEL)


def floor_topics(text: str) -> list[str]:
    """Topics whose keyword floor (English or one of the international ones) matches."""
    return _FLOORS.match(text)


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
