"""Training examples for the topic head, all read in place from the shared data folder.

* **Bitext customer-support utterances** (27 intents, hand-labelled, chatbot style): each
  intent is mapped onto one routing topic by `BITEXT_TOPICS`.
* **TWCS weak supervision**: a customer tweet takes the topics that the *brand's reply in the
  same thread* talks about (a reply that mentions a refund labels its tweet `refund_return`).
  The customer's own words play no part in the label, so the head does not simply learn the
  keyword rule. Tweets without an English reply, or whose reply says nothing specific, are
  left out. Every tweet in the hand-labelled evaluation file is left out too, whatever its
  split, so the evaluation stays independent of training.
* **Seed phrases** (`SEEDS`): a few tweet-style sentences per topic written for this
  project, for situations Bitext has no intent for (a parcel that never came, fraud, praise,
  a complaint about support). They were written before any evaluation labels existed.
* **Team corrections** (optional, off by default): intents that agents corrected on the
  case page.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from monitor.scoring.topics import TOPICS

BITEXT_FILES = ("customer-support-20k.csv", "customer-service-8k.csv")
TWCS_FILE = "twcs_first5000rows.csv"

BITEXT_TOPICS: dict[str, str] = {
    "cancel_order": "cancellation",
    "check_cancellation_fee": "cancellation",
    "delete_account": "cancellation",
    "newsletter_subscription": "other",
    "change_order": "other",
    "place_order": "product_question",
    "check_payment_methods": "product_question",
    "delivery_options": "delivery",
    "delivery_period": "delivery",
    "track_order": "delivery",
    "change_shipping_address": "delivery",
    "set_up_shipping_address": "delivery",
    "get_refund": "refund_return",
    "track_refund": "refund_return",
    "check_refund_policy": "refund_return",
    "get_invoice": "billing",
    "check_invoice": "billing",
    "check_invoices": "billing",
    "payment_issue": "billing",
    "recover_password": "account_access",
    "registration_problems": "account_access",
    "create_account": "other",
    "edit_account": "other",
    "switch_account": "other",
    "contact_customer_service": "other",
    "contact_human_agent": "other",
    "complaint": "support_complaint",
    "review": "other",
}

SEEDS: dict[str, tuple[str, ...]] = {
    "delivery": (
        "my order never arrived",
        "the parcel never came and tracking says delivered",
        "package marked as delivered but it's not here",
        "still waiting for my delivery, it was due yesterday",
        "my TV was supposed to arrive today and it hasn't come",
        "the courier left my parcel in the rain and it was damaged",
        "box arrived crushed and the item inside is broken",
        "driver didn't even knock, just left a missed delivery card",
        "order stuck in transit for a week",
        "you delivered someone else's package to me",
        "the item I ordered never showed up",
        "where is my stuff, it's 5 days late",
    ),
    "refund_return": (
        "I returned it two weeks ago and still no refund",
        "how do I send this back, it doesn't fit",
        "I want my money back for the broken headphones",
        "refund still hasn't hit my account",
        "the return label doesn't work",
        "can I exchange this for a different size",
    ),
    "billing": (
        "you charged me twice for the same order",
        "why was my card charged again for prime",
        "my bill went up and nobody told me",
        "the price changed after I paid",
        "I was overcharged on my last invoice",
        "payment keeps getting declined at checkout",
    ),
    "account_access": (
        "I can't log into my account",
        "password reset email never arrives",
        "my account is locked and I can't get in",
        "keeps saying my password is wrong",
        "two step verification code never comes so I can't sign in",
        "you suspended my account and I can't access my orders",
    ),
    "account_security": (
        "someone hacked my account and placed orders",
        "I got a login code I never requested",
        "there are purchases on my card I didn't make",
        "got a phishing email pretending to be you",
        "someone changed my password and email address",
        "a caller claiming to be support asked for gift cards",
        "fraudulent charge on my account",
        "my account was used to order things I never bought",
    ),
    "cancellation": (
        "how do I cancel my subscription",
        "please cancel my order before it ships",
        "I cancelled prime but it still renewed",
        "I want to close my account",
    ),
    "product_question": (
        "does this work with the new iphone",
        "is the kindle waterproof",
        "when will the new model be in stock",
        "what size should I get",
        "does the app support offline playlists",
        "is this available in the uk",
    ),
    "support_complaint": (
        "I've been on hold for an hour",
        "your customer service is useless",
        "the agent hung up on me",
        "nobody answers my emails",
        "your chat bot keeps going in circles",
        "I've explained this to five different people",
        "still no reply to my DM",
    ),
    "praise": (
        "thank you so much, the team was amazing",
        "great service, sorted in minutes",
        "love the new update",
        "shout out to your agent for the help today",
        "best delivery driver ever",
        "you guys rock, thanks for fixing it",
    ),
    "other": (
        "lol",
        "happy halloween everyone",
        "just watching the game tonight",
        "ok",
        "DM sent",
    ),
}

_I = re.IGNORECASE
# What a brand's reply says when it handles each topic.
REPLY_RULES: dict[str, re.Pattern[str]] = {
    "delivery": re.compile(
        r"\b(?:deliver\w*|package|parcel|tracking|courier|carrier|shipment|shipping|shipped|"
        r"dispatch\w*|order\s+status|arriv\w*|on\s+its\s+way)\b",
        _I,
    ),
    "refund_return": re.compile(
        r"\b(?:refund\w*|reimburs\w*|money\s+back|return\s+(?:it|the|your)|returns?\s+"
        r"(?:process|label|policy)|replacement)\b",
        _I,
    ),
    "billing": re.compile(
        r"\b(?:charg\w*|billing|bill|invoice|payment|statement|overcharg\w*|pricing|"
        r"price\s+(?:match|adjustment))\b",
        _I,
    ),
    "account_access": re.compile(
        r"\b(?:sign\s*in|log\s*in|login|password|reset\s+link|locked|verification\s+code|"
        r"access\s+(?:to\s+)?your\s+account|recover\s+your\s+account)\b",
        _I,
    ),
    "account_security": re.compile(
        r"\b(?:unauthori[sz]ed|fraud\w*|phish\w*|scam\w*|spoof\w*|compromised|hacked|"
        r"suspicious|secure\s+your\s+account|security\s+team|not\s+from\s+us|"
        r"report\s+(?:it|this)\s+to\s+(?:stop-?spoofing|reportphishing|phishing))\b",
        _I,
    ),
    "cancellation": re.compile(r"\bcancel\w*\b", _I),
    "support_complaint": re.compile(
        r"\b(?:(?:sorry|apologi[sz]e|apologies)\b[^.!?]{0,60}\b(?:wait|hold|response\s+time|"
        r"experience\s+with\s+(?:our|the)\s+(?:team|agent|staff|rep)|(?:agent|rep|staff|team\s+"
        r"member)\b)|feedback\s+(?:about|on|regarding)\s+(?:our|the)\s+(?:agent|team|staff))",
        _I,
    ),
    "praise": re.compile(
        r"\b(?:glad\s+(?:to\s+hear|you|it)|great\s+to\s+hear|happy\s+to\s+hear|love\s+(?:to\s+)?"
        r"hear|thanks?\s+(?:so\s+much\s+)?for\s+(?:the|your)\s+(?:kind\s+words|love|shout|"
        r"compliment|praise)|awesome\s+compliment|appreciate\s+the\s+"
        r"(?:kind|love|shout)|you'?re\s+welcome|enjoy)\b",
        _I,
    ),
}
# A reply that says any of these is dealing with a problem, so its tweet is not praise.
_PROBLEM = re.compile(r"\b(?:sorry|apolog\w*|inconvenien\w*|frustrat\w*|concern\w*)\b", _I)
_NON_LATIN = re.compile(r"[^\x00-\u024f\u2000-\u206f\u2190-\u2bff\U0001f000-\U0001faff]")


@dataclass(frozen=True, slots=True)
class TopicExample:
    text: str
    topics: frozenset[str]
    source: str  # "bitext", "seed", "twcs-reply" or "correction"


def bitext_examples(data_dir: Path) -> list[TopicExample]:
    """Every distinct Bitext utterance with its mapped topic (case-insensitive de-duplication)."""
    seen: set[str] = set()
    examples = []
    for name in BITEXT_FILES:
        path = Path(data_dir) / "bitext-customer-support" / name
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                text = (row.get("utterance") or "").strip()
                topic = BITEXT_TOPICS.get(row.get("intent") or "")
                key = text.lower()
                if not text or topic is None or key in seen:
                    continue
                seen.add(key)
                examples.append(TopicExample(text, frozenset({topic}), "bitext"))
    return examples


def seed_examples() -> list[TopicExample]:
    return [
        TopicExample(text, frozenset({topic}), "seed")
        for topic, texts in SEEDS.items()
        for text in texts
    ]


def reply_topics(reply: str) -> frozenset[str]:
    """Topics a brand's reply deals with (empty when it says nothing specific)."""
    found = {topic for topic, pattern in REPLY_RULES.items() if pattern.search(reply)}
    if "praise" in found and (_PROBLEM.search(reply) or len(found) > 1):
        found.discard("praise")
    if "account_security" in found:
        found.discard("account_access")  # a security reply mentions passwords too
    return frozenset(found)


def twcs_reply_examples(data_dir: Path, exclude_ids: Iterable[str] = ()) -> list[TopicExample]:
    """Customer tweets labelled by the topics of the brand's replies in the same thread.

    A thread is every tweet linked by replies. The customer's first tweet in a thread states
    the problem; later ones ("still nothing", "DM sent") rarely do, so only tweets that open
    a thread, or that the brand answered directly, are used.
    """
    path = Path(data_dir) / "customer-support-twitter" / TWCS_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("tweet_id")]
    excluded = set(exclude_ids)
    by_id = {row["tweet_id"]: row for row in rows}
    parent = {tweet_id: tweet_id for tweet_id in by_id}

    def root(tweet_id: str) -> str:
        while parent[tweet_id] != tweet_id:
            parent[tweet_id] = parent[parent[tweet_id]]
            tweet_id = parent[tweet_id]
        return tweet_id

    for row in rows:
        above = (row.get("in_response_to_tweet_id") or "").removesuffix(".0")
        if above in by_id:
            parent[root(row["tweet_id"])] = root(above)
    thread_replies: dict[str, list[str]] = {}
    for row in rows:
        if row.get("inbound") == "False":
            thread_replies.setdefault(root(row["tweet_id"]), []).append(row.get("text") or "")
    examples = []
    for row in rows:
        if row.get("inbound") != "True" or row["tweet_id"] in excluded:
            continue
        text = (row.get("text") or "").strip()
        above = (row.get("in_response_to_tweet_id") or "").removesuffix(".0")
        opens_thread = above not in by_id
        direct = [
            by_id[reply_id].get("text") or ""
            for reply_id in (row.get("response_tweet_id") or "").split(",")
            if reply_id in by_id and by_id[reply_id].get("inbound") == "False"
        ]
        replies = direct or (thread_replies.get(root(row["tweet_id"]), []) if opens_thread else [])
        if not text or not replies or any(_NON_LATIN.search(r) for r in [*replies, text]):
            continue
        topics = reply_topics(" ".join(replies))
        if topics:
            examples.append(TopicExample(text, topics, "twcs-reply"))
    return examples


def labelled_tweet_ids(labels_file: Path) -> set[str]:
    """Ids of every hand-labelled evaluation tweet (all splits), to keep them out of training."""
    if not labels_file.exists():
        return set()
    with labels_file.open(encoding="utf-8", newline="") as handle:
        return {row["tweet_id"] for row in csv.DictReader(handle) if row.get("tweet_id")}


def label_matrix(examples: list[TopicExample]) -> list[list[int]]:
    return [[int(topic in example.topics) for topic in TOPICS] for example in examples]
