"""Score a third-party reply for impersonation of the brand: 0-100, explained by its factors.

Pure: the brand profile, the reply's facts and the weights in, a score out. Two kinds of
evidence add up. *Who*: a handle or name that looks like one of the brand's accounts, or the
brand's name with "help"/"support" added. *What*: the lures scammers use (a phone number, a
WhatsApp or Telegram contact, a link or e-mail address that is not the brand's, a request for
a password, card or personal data, a remote-access app, a gift card). A reply whose author
and text have nothing to do with the brand gets its lure points halved: a stranger posting a
phone number is not posing as us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from monitor.config import BrandSettings, ImpostorSettings
from monitor.impostors.lures import SHORTENERS, TextLures, read_lures, same_phone
from monitor.impostors.names import edit_distance, fold, mixed_script, skeleton

SUPPORT_WORDS = (
    "help", "support", "supp", "care", "cares", "service", "services", "team", "official",
    "desk", "assist", "refund", "refunds", "center", "centre", "helpline", "hotline", "hq",
    "live", "customer", "billing", "resolution", "resolutions", "helpers", "24",
)  # fmt: skip
_SUPPORT_SKELETONS = tuple(skeleton(word) for word in SUPPORT_WORDS)

LABELS = {
    "lookalike_name": "look-alike name",
    "brand_support_name": "brand name + support word",
    "brand_in_name": "brand name in the name",
    "mixed_script": "look-alike Unicode letters",
    "claims_brand": "speaks as the brand",
    "phone": "phone number",
    "messaging_app": "WhatsApp/Telegram contact",
    "dm_lure": "asks to DM or call",
    "foreign_link": "link to a site that is not ours",
    "lookalike_link": "look-alike web address",
    "free_email": "e-mail address that is not ours",
    "credentials": "asks for a password or code",
    "card": "asks for card details",
    "personal_data": "asks for personal data",
    "remote_access": "remote-access app",
    "gift_card": "gift-card payment",
    "new_account": "new account",
    "few_followers": "few followers",
    "verified": "verified account",
    "unrelated": "not tied to the brand",
}
IDENTITY = ("lookalike_name", "brand_support_name", "brand_in_name", "mixed_script")
TEXT_LURES = (
    "claims_brand", "phone", "messaging_app", "dm_lure", "foreign_link", "lookalike_link",
    "free_email", "credentials", "card", "personal_data", "remote_access", "gift_card",
)  # fmt: skip


@dataclass(frozen=True)
class BrandProfile:
    """The brand's identity, folded once for fast comparison."""

    names: tuple[str, ...]  # skeletons of the brand name and aliases
    plain_names: tuple[str, ...]  # folded words as written, for text search
    accounts: frozenset[str]  # casefolded official handles
    account_skeletons: tuple[str, ...]
    domains: tuple[str, ...]
    phones: tuple[str, ...]  # digits
    emails: frozenset[str]

    @classmethod
    def from_settings(cls, brand: BrandSettings) -> BrandProfile:
        words = [brand.name, *brand.aliases]
        names = tuple(dict.fromkeys(s for s in (skeleton(w) for w in words) if len(s) >= 2))
        return cls(
            names=names,
            plain_names=tuple(dict.fromkeys(fold(w).strip() for w in words if w.strip())),
            accounts=frozenset(a.casefold() for a in brand.accounts),
            account_skeletons=tuple(skeleton(a) for a in brand.accounts),
            domains=brand.domains,
            phones=tuple(re.sub(r"\D", "", p) for p in brand.phones),
            emails=frozenset(fold(e) for e in brand.emails),
        )

    def is_official(self, handle: str) -> bool:
        # Exact code points (case aside): a fullwidth or accented copy is a look-alike, not us.
        return handle.lstrip("@").casefold() in self.accounts

    def owns_domain(self, domain: str) -> bool:
        return any(domain == d or domain.endswith("." + d) for d in self.domains)


@dataclass(frozen=True)
class ReplyFacts:
    """One reply under a customer's post, with what the platform told about its author."""

    handle: str
    text: str
    display_name: str | None = None
    urls: tuple[str, ...] = ()  # expanded link targets, when the platform gives them
    followers: int | None = None
    verified: bool = False
    account_created_at: datetime | None = None
    posted_at: datetime | None = None


@dataclass(frozen=True)
class ImpostorScore:
    score: float
    factors: dict[str, float]  # factor -> points; they add up to `score`
    lures: tuple[str, ...]  # readable labels of what raised the score, strongest first
    official: bool
    flagged: bool
    explanation: str


def score_reply(
    facts: ReplyFacts, brand: BrandProfile, settings: ImpostorSettings
) -> ImpostorScore:
    if brand.is_official(facts.handle):
        return ImpostorScore(0.0, {}, (), True, False, "one of the brand's own accounts")
    weights = settings.weights.model_dump()
    hits: dict[str, float] = {}
    for name in _identity(facts, brand):
        hits[name] = weights[name]
    lures = read_lures(facts.text, facts.urls)
    for name in _text_lures(facts.text, lures, brand):
        hits[name] = weights[name]
    named = (
        any(n in hits for n in IDENTITY)
        or "claims_brand" in hits
        or _names_brand(facts.text, brand)
    )
    if not named:
        lure_points = sum(points for name, points in hits.items() if name in TEXT_LURES)
        if lure_points > 0:
            hits["unrelated"] = -round(lure_points / 2, 1)
    hits.update(_account(facts, settings))
    return _finish(hits, settings.threshold)


def _identity(facts: ReplyFacts, brand: BrandProfile) -> list[str]:
    found: list[str] = []
    names = [facts.handle] + ([facts.display_name] if facts.display_name else [])
    shapes = [skeleton(n) for n in names]
    if any(_looks_like_account(shape, brand) for shape in shapes):
        found.append("lookalike_name")
    elif any(_has_brand(shape, brand) for shape in shapes):
        with_support = any(
            _has_brand(shape, brand) and any(w in shape for w in _SUPPORT_SKELETONS)
            for shape in shapes
        )
        found.append("brand_support_name" if with_support else "brand_in_name")
    if any(mixed_script(n) for n in names):
        found.append("mixed_script")
    return found


def _looks_like_account(shape: str, brand: BrandProfile) -> bool:
    for official in brand.account_skeletons:
        if len(official) < 4:
            continue
        allowed = 1 if len(official) < 9 else 2
        if edit_distance(shape, official, allowed) <= allowed:
            return True
    return False


def _has_brand(shape: str, brand: BrandProfile) -> bool:
    return any(len(name) >= 3 and name in shape for name in brand.names)


_CLAIM_TEMPLATE = (
    r"\b(?:this\s+is|we\s+are|we're|here\s+at|from)\s+(?:the\s+)?{brand}\b|"
    r"\b{brand}\s+(?:support|help|care|customer\s+(?:care|service|support)|team|helpline)"
    r"(?:\s+team)?\s+here\b"
)
_OUR_SUPPORT = re.compile(
    r"\bour\s+(?:\w+\s+)?(?:support|help|billing|refunds?|fraud|escalation|customer\s+care|"
    r"customer\s+service|tech|technical|reservations|resolution|dispute|driver)\s+"
    r"(?:line|team|department|desk|number|agents?|specialists?|technicians?|experts?|advisors?|"
    r"hotline|centre|center)\b|\bour\s+(?:agents?|technicians?|engineers?|specialists?|"
    r"senior\s+advisor)\b",
    re.IGNORECASE,
)


def _text_lures(text: str, lures: TextLures, brand: BrandProfile) -> list[str]:
    found = []
    if _OUR_SUPPORT.search(text) or any(
        re.search(_CLAIM_TEMPLATE.format(brand=re.escape(name)), fold(text))
        for name in brand.plain_names
    ):
        found.append("claims_brand")
    if any(not any(same_phone(p, own) for own in brand.phones) for p in lures.phones):
        found.append("phone")
    if lures.messaging:
        found.append("messaging_app")
    if lures.dm_lure:
        found.append("dm_lure")
    foreign = [d for d in lures.domains if not brand.owns_domain(d)]
    if foreign:
        found.append("foreign_link")
        if any(_has_brand(skeleton(d), brand) or d in SHORTENERS for d in foreign):
            found.append("lookalike_link")
    if any(not brand.owns_domain(d) for d in lures.email_domains):
        found.append("free_email")
    for name in ("credentials", "card", "personal_data", "remote_access", "gift_card"):
        if getattr(lures, name):
            found.append(name)
    return found


def _names_brand(text: str, brand: BrandProfile) -> bool:
    """The brand is named in the words (not only @-mentioned, which every reply is)."""
    words = fold(re.sub(r"@\w+", " ", text))
    return any(re.search(r"\b" + re.escape(name) + r"\b", words) for name in brand.plain_names)


def _account(facts: ReplyFacts, settings: ImpostorSettings) -> dict[str, float]:
    weights = settings.weights
    found: dict[str, float] = {}
    if facts.account_created_at and facts.posted_at:
        age_days = (facts.posted_at - facts.account_created_at).total_seconds() / 86400
        if age_days < settings.new_account_days:
            found["new_account"] = weights.new_account
    if facts.followers is not None and facts.followers < settings.few_followers:
        found["few_followers"] = weights.few_followers
    if facts.verified:
        found["verified"] = weights.verified
    return found


def _finish(hits: dict[str, float], threshold: float) -> ImpostorScore:
    raw = sum(hits.values())
    score = min(max(raw, 0.0), 100.0)
    # Scale contributions so they still add up to the capped score, as urgency does.
    scale = score / raw if raw > 0 else 0.0
    factors = {name: round(points * scale, 1) for name, points in hits.items() if points}
    positive = sorted(
        ((name, points) for name, points in factors.items() if points > 0),
        key=lambda item: -item[1],
    )
    lures = tuple(LABELS[name] for name, _ in positive)
    flagged = score >= threshold
    parts = ", ".join(f"{LABELS[name]} {points:+.0f}" for name, points in factors.items())
    verdict = "possible impostor" if flagged else "probably not an impostor"
    explanation = f"{verdict} ({score:.0f}): {parts}" if parts else f"{verdict} ({score:.0f})"
    return ImpostorScore(round(score, 1), factors, lures, False, flagged, explanation)
