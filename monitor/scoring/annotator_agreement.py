"""How far a second, independent annotator agrees with the hand labels.

`evaluation/tweet-labels-second-annotator.csv` holds labels given by other people than the
main annotator, each working alone from the guideline and the tweet text (GUIDELINE.md,
"Second annotators"). Their agreement says how much of the labels is the guideline and how
much is one reader's judgement, and so how far a model can be expected to agree with them.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monitor.scoring.topics import TOPICS
from monitor.scoring.training.labelled_tweets import (
    LABELS_PATH,
    LabelledTweetsError,
    TweetLabel,
)

SECOND_ANNOTATOR_PATH = LABELS_PATH.with_name("tweet-labels-second-annotator.csv")
COLUMNS = ("tweet_id", "urgency", "topics", "language")


@dataclass(frozen=True, slots=True)
class SecondLabel:
    tweet_id: str
    urgency: int
    topics: frozenset[str]


def read_second_labels(path: Path = SECOND_ANNOTATOR_PATH) -> list[SecondLabel]:
    """The second annotator's rows, checked like the main labels file."""
    if not path.is_file():
        raise LabelledTweetsError(f"Second annotator's labels not found: {path}.")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise LabelledTweetsError(f"{path.name}: the columns must be {', '.join(COLUMNS)}.")
        rows: list[SecondLabel] = []
        seen: set[str] = set()
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            topics = frozenset(t for t in row["topics"].split(";") if t)
            if row["urgency"] not in {"0", "1", "2", "3"} or not topics or topics - set(TOPICS):
                raise LabelledTweetsError(f"{where}: urgency or topics not in the guideline.")
            if row["tweet_id"] in seen:
                raise LabelledTweetsError(f"{where}: tweet {row['tweet_id']} twice.")
            seen.add(row["tweet_id"])
            rows.append(SecondLabel(row["tweet_id"], int(row["urgency"]), topics))
    return rows


def cohen_kappa(a: Sequence[int], b: Sequence[int], *, quadratic: bool = False) -> float | None:
    """Cohen's kappa of two raters on levels 0..K (quadratic weights: near misses count)."""
    levels = max(max(a, default=0), max(b, default=0)) + 1
    observed = np.zeros((levels, levels))
    for x, y in zip(a, b, strict=True):
        observed[x, y] += 1
    if observed.sum() == 0:
        return None
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((levels, levels))
    weights = ((i - j) ** 2 if quadratic else (i != j)).astype(float)
    disagreement = float((weights * expected).sum())
    if disagreement == 0:
        return 1.0
    return round(1.0 - float((weights * observed).sum()) / disagreement, 3)


def agreement(primary: Sequence[TweetLabel], second: Sequence[SecondLabel]) -> dict:
    """Urgency and topic agreement on the tweets both annotators labelled."""
    by_id = {label.tweet_id: label for label in primary}
    pairs = [(by_id[s.tweet_id], s) for s in second if s.tweet_id in by_id]
    if not pairs:
        return {"posts": 0}
    a = [p.urgency for p, _ in pairs]
    b = [s.urgency for _, s in pairs]
    top_a = [int(x == 3) for x in a]
    top_b = [int(x == 3) for x in b]
    sets = [(set(p.topics), set(s.topics)) for p, s in pairs]
    per_topic = {}
    for topic in TOPICS:
        both = sum(1 for x, y in sets if topic in x and topic in y)
        total = sum(int(topic in x) + int(topic in y) for x, y in sets)
        per_topic[topic] = {"main": sum(topic in x for x, _ in sets), "f1": _share(2 * both, total)}
    return {
        "posts": len(pairs),
        "urgency_identical": _share(sum(x == y for x, y in zip(a, b, strict=True)), len(pairs)),
        "urgency_kappa": cohen_kappa(a, b),
        "urgency_quadratic_kappa": cohen_kappa(a, b, quadratic=True),
        "top_level": {"main": sum(top_a), "second": sum(top_b), "kappa": cohen_kappa(top_a, top_b)},
        "topic_sets_identical": _share(sum(x == y for x, y in sets), len(sets)),
        "topic_f1": per_topic,
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
