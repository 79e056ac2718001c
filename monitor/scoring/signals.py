"""Business signals read from a post's text: pure functions, no I/O, easy to test and explain.

The model says how a customer feels; these say what is at stake (money, fraud, a request
for a human) and which team the post belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_HUMAN = re.compile(
    r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+|your\s+|some\s+)?"
    r"(?:real\s+|actual\s+|live\s+)?(?:human|person|representative|rep|agent|someone|somebody|"
    r"manager|supervisor)"
    r"|\b(?:real|actual|live)\s+(?:human|person|agent)\b"
    r"|\bcall\s+me\b|\bescalat\w*|\bsupervisor\b|\bmanager\b",
    re.IGNORECASE,
)
_SECURITY = re.compile(
    r"\b(?:fraud\w*|phish\w*|scam\w*|hack(?:ed|er|ers|ing)?|unauthori[sz]ed|stolen|"
    r"identity\s+theft|compromised|suspicious\s+(?:link|email|e-mail|text|call|sms|login|"
    r"activity|charge)|fake\s+(?:number|website|site|email|support|help\s*line)|"
    r"someone\s+(?:logged|got)\s+into|locked\s+out|password\s+(?:was\s+)?changed|"
    r"gift\s+cards?\s+(?:to|for)\s+(?:a|the)\s+(?:caller|agent))",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"(?:[$£€]\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?)"
    r"|(?:\b(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s?(?:dollars|usd|bucks|euros?|pounds)\b)",
    re.IGNORECASE,
)
_ORDER = re.compile(
    r"\b\d{3}-\d{7}-\d{7}\b|\border\s*(?:#|no\.?|number)\s*:?\s*([A-Z0-9-]{5,})", re.IGNORECASE
)

# Intent keywords, checked in priority order: the first intent that matches wins, so a post
# about a fraudulent refund goes to account security, not to refunds.
_INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("account_security", _SECURITY),
    (
        "billing",
        re.compile(
            # a charger is a cable, not a charge
            r"\b(?:charg(?!ers?\b)\w*|billed|billing|bill|subscription|membership|prime|renew\w*|"
            r"invoice|overcharg\w*|double\s+charg\w*|payment|card\s+statement)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "refund_return",
        re.compile(r"\b(?:refund\w*|return\w*|money\s+back|reimburs\w*|exchange)\b", re.I),
    ),
    (
        "delivery",
        re.compile(
            r"\b(?:deliver\w*|package|parcel|shipping|shipped|shipment|courier|driver|"
            r"tracking|arriv\w*|never\s+came|missing|lost|late|porch|doorstep)\b",
            re.IGNORECASE,
        ),
    ),
    ("cancellation", re.compile(r"\bcancel\w*\b", re.IGNORECASE)),
    (
        "product_question",
        re.compile(
            r"\?|\b(?:does|do|can|will|is|how)\s+(?:it|this|the|i|you)\b|\b(?:compatible|"
            r"warranty|size|spec\w*|in\s+stock)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "praise",
        re.compile(
            r"\b(?:thank\w*|thx|great|awesome|amazing|love|excellent|perfect|kudos|"
            r"best|appreciate\w*)\b|❤|😍|🙏|👏",
            re.IGNORECASE,
        ),
    ),
)
INTENTS = (*(name for name, _ in _INTENTS), "other")


@dataclass(frozen=True, slots=True)
class TextSignals:
    human_request: bool
    security_terms: tuple[str, ...]
    max_amount: Decimal | None
    order_numbers: tuple[str, ...]
    intent: str  # the keyword rule: the fallback without a topic head, and the baseline


def human_request(text: str) -> bool:
    return _HUMAN.search(text) is not None


def security_terms(text: str) -> tuple[str, ...]:
    found = {match.group(0).lower() for match in _SECURITY.finditer(text)}
    return tuple(sorted(found))


def money_amounts(text: str) -> list[Decimal]:
    amounts = []
    for match in _MONEY.finditer(text):
        whole = (match.group(1) or match.group(3) or "").replace(",", "")
        cents = match.group(2) or match.group(4) or "0"
        try:
            amounts.append(Decimal(f"{whole}.{cents}"))
        except InvalidOperation:
            continue
    return amounts


def order_numbers(text: str) -> tuple[str, ...]:
    found = []
    for match in _ORDER.finditer(text):
        found.append((match.group(1) or match.group(0)).upper())
    return tuple(dict.fromkeys(found))


def intent_patterns() -> dict[str, re.Pattern[str]]:
    """The keyword rule's pattern per topic (the topic head reads them as features)."""
    return dict(_INTENTS)


def intent(text: str) -> str:
    for name, pattern in _INTENTS:
        if pattern.search(text):
            return name
    return "other"


def read_signals(text: str) -> TextSignals:
    amounts = money_amounts(text)
    return TextSignals(
        human_request=human_request(text),
        security_terms=security_terms(text),
        max_amount=max(amounts) if amounts else None,
        order_numbers=order_numbers(text),
        intent=intent(text),
    )
