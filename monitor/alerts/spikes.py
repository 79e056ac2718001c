"""Volume spikes: this hour against the same hour of the week in recent weeks.

Monday 9am is always busier than Sunday 3am, so the baseline for "now" is the same window one,
two, ... weeks ago. A floor keeps a quiet baseline from turning three posts into a "spike".
Posts are grouped into incidents (one intent, or shared key terms for generic posts) so a
delivery outage raises one alert, not one per complaint.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import SpikeSettings
from monitor.db.models import Post, Score

INTENT_LABELS = {
    "delivery": "delivery complaints",
    "billing": "billing complaints",
    "refund_return": "refund and return requests",
    "account_security": "account-security reports",
    "cancellation": "cancellation requests",
    "product_question": "product questions",
    "praise": "praise",
}
STOPWORDS = frozenset(
    """about after again also been before being cant could didnt does doesnt dont every from
    have help here just know like make more need only over please really said same some still
    than that thats their them then there these they this thanks time today what when where which
    while will with would your youre yours were want wont even back into very much""".split()
)
_NOISE = re.compile(r"@\w+|https?://\S+|#")
_TERM = re.compile(r"[a-z][a-z0-9']{3,}")


class _Check(Protocol):
    def __call__(self, key: str, count: int, past: list[int]) -> Incident | None: ...


@dataclass
class Incident:
    key: str  # intent:delivery or term:outage
    label: str
    count: int
    baseline: float
    expected: float
    examples: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.count / self.expected if self.expected else float(self.count)


def terms(text: str) -> set[str]:
    words = _TERM.findall(_NOISE.sub(" ", text.lower()))
    return {word.replace("'", "") for word in words} - STOPWORDS


def _posts(session: Session, start: datetime, end: datetime) -> Iterator[tuple[str, str | None]]:
    query = (
        select(Post.text, Score.intent)
        .outerjoin(Score, Score.post_id == Post.id)
        .where(Post.inbound.is_(True), Post.created_at >= start, Post.created_at < end)
        .execution_options(yield_per=2000)
    )
    for text, intent in session.execute(query):
        yield str(text), intent


class _Tally:
    """Counts per intent and per term (documents, not occurrences) in one window."""

    def __init__(self, rows: Iterable[tuple[str, str | None]], spike: SpikeSettings) -> None:
        self.intents: Counter[str] = Counter()
        self.terms: Counter[str] = Counter()
        self.posts_by_term: dict[str, list[int]] = {}
        self.texts: list[str] = []
        self.examples: dict[str, list[str]] = {}
        by_terms = spike.group_by in ("terms", "both")
        for text, intent in rows:
            if spike.group_by != "terms" and intent and intent not in spike.generic_intents:
                self.intents[intent] += 1
                examples = self.examples.setdefault(intent, [])
                if len(examples) < 3:
                    examples.append(text)
                continue
            if not by_terms:
                continue
            self.texts.append(text)
            for term in terms(text):
                self.terms[term] += 1
                self.posts_by_term.setdefault(term, []).append(len(self.texts) - 1)


def detect_spikes(session: Session, spike: SpikeSettings, now: datetime) -> list[Incident]:
    """Incidents in the window ending at `now`, most anomalous first."""
    window = timedelta(minutes=spike.window_minutes)
    current = _Tally(_posts(session, now - window, now), spike)
    history = [
        _Tally(_posts(session, now - window - timedelta(weeks=k), now - timedelta(weeks=k)), spike)
        for k in range(1, spike.weeks + 1)
    ]
    average = statistics.median if spike.baseline == "median" else statistics.mean

    def check(key: str, count: int, past: list[int]) -> Incident | None:
        baseline = float(average(past))
        expected = max(baseline, spike.floor)
        if count < spike.min_posts or count < spike.factor * expected:
            return None
        return Incident(key, "", count, baseline, expected)

    incidents: list[Incident] = []
    for intent, count in current.intents.items():
        found = check(f"intent:{intent}", count, [h.intents[intent] for h in history])
        if found:
            found.label = INTENT_LABELS.get(intent, f"{intent.replace('_', ' ')} posts")
            found.examples = current.examples.get(intent, [])
            incidents.append(found)
    incidents.extend(_term_incidents(current, history, check))
    return sorted(incidents, key=lambda incident: incident.ratio, reverse=True)


def _term_incidents(current: _Tally, history: list[_Tally], check: _Check) -> list[Incident]:
    """Spiking terms, merged when they mostly describe the same posts ("site", "down")."""
    spiking = []
    for term, count in current.terms.most_common():
        found = check(f"term:{term}", count, [h.terms[term] for h in history])
        if found:
            spiking.append((term, found))
    groups: list[tuple[list[str], set[int], Incident]] = []
    for term, found in spiking:
        posts = set(current.posts_by_term[term])
        for names, covered, _ in groups:
            if len(posts & covered) >= 0.5 * len(posts):
                names.append(term)
                covered |= posts
                break
        else:
            groups.append(([term], posts, found))
    incidents = []
    for names, covered, found in groups:
        found.count = len(covered)
        found.label = "posts about " + ", ".join(f"'{name}'" for name in names[:4])
        found.examples = [current.texts[i] for i in sorted(covered)[:3]]
        incidents.append(found)
    return incidents
