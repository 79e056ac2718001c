"""Data loading, de-duplication and splits for the multi-task encoder.

Data is read in place from the shared data folder (never copied into the project):

* ``semeval2017-task4a-train/*.tsv``: sentiment training tweets (id, label, text).
  Every tweet matching a TweetEval sentiment val/test tweet under the loose "key"
  normalisation is removed, and duplicates within train are dropped.
* ``tweeteval/sentiment/{val,test}_*``: model selection (val) and evaluation (test) only.
* ``complaints-severity-xci/X-CI_Dataset.csv``: complaint label + severity 0..4, split
  deterministically by a stable hash of the normalised text (75% train / 25% held out).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from monitor.scoring.text import match_key

SENTIMENT_LABELS = ("negative", "neutral", "positive")
_SENTIMENT_INDEX = {name: i for i, name in enumerate(SENTIMENT_LABELS)}
XCI_TRAIN_PERCENT = 75


@dataclass(frozen=True, slots=True)
class SentimentExample:
    text: str
    label: int  # 0 negative, 1 neutral, 2 positive


@dataclass(frozen=True, slots=True)
class ComplaintExample:
    text: str
    complaint: int  # 0/1
    severity: int  # 0 (not a complaint) .. 4


def read_tweeteval_sentiment(data_dir: Path, split: str) -> list[SentimentExample]:
    """TweetEval sentiment ``val`` or ``test`` (labels 0 neg, 1 neu, 2 pos)."""
    folder = Path(data_dir) / "tweeteval" / "sentiment"
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
    labels = (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    if texts and texts[-1] == "":
        texts = texts[:-1]
    if len(texts) != len(labels):
        raise ValueError(f"tweeteval {split}: {len(texts)} texts but {len(labels)} labels")
    return [
        SentimentExample(t.rstrip("\r"), int(label)) for t, label in zip(texts, labels, strict=True)
    ]


def _read_semeval_file(path: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            label = parts[1].strip().lower()
            if label not in _SENTIMENT_INDEX:
                continue
            # Column 3 is the text; a 4th column (empty or a date) is ignored.
            text = parts[2].strip()
            if text:
                rows.append((label, text))
    return rows


def load_semeval_train(data_dir: Path) -> tuple[list[SentimentExample], dict[str, int]]:
    """SemEval 2013-2016 4A tweets minus TweetEval val/test (key match), de-duplicated.

    Duplicate keys with conflicting labels are dropped entirely. Returns the examples and
    a dict of counts describing what was removed.
    """
    data_dir = Path(data_dir)
    blocked = {
        match_key(e.text)
        for split in ("val", "test")
        for e in read_tweeteval_sentiment(data_dir, split)
    }
    blocked.discard("")
    files = sorted((data_dir / "semeval2017-task4a-train").glob("*.tsv"))
    if not files:
        raise FileNotFoundError(
            f"no SemEval .tsv files under {data_dir / 'semeval2017-task4a-train'}"
        )
    stats = {"rows": 0, "empty_key": 0, "overlap_tweeteval": 0, "duplicates": 0, "conflicting": 0}
    by_key: dict[str, list[tuple[str, str]]] = {}
    order: list[str] = []
    for path in files:
        for label, text in _read_semeval_file(path):
            stats["rows"] += 1
            key = match_key(text)
            if not key:
                stats["empty_key"] += 1
                continue
            if key in blocked:
                stats["overlap_tweeteval"] += 1
                continue
            if key not in by_key:
                by_key[key] = []
                order.append(key)
            else:
                stats["duplicates"] += 1
            by_key[key].append((label, text))
    examples: list[SentimentExample] = []
    for key in order:
        group = by_key[key]
        labels = {label for label, _ in group}
        if len(labels) > 1:
            stats["conflicting"] += 1
            continue
        label, text = group[0]
        examples.append(SentimentExample(text, _SENTIMENT_INDEX[label]))
    stats["kept"] = len(examples)
    return examples, stats


def xci_bucket(text: str) -> int:
    """Stable 0..99 bucket of a tweet from the SHA-1 of its match key."""
    digest = hashlib.sha1(match_key(text).encode("utf-8"), usedforsecurity=False).hexdigest()
    return int(digest[:8], 16) % 100


def load_xci(data_dir: Path, part: str) -> list[ComplaintExample]:
    """X-CI rows of the ``train`` part (bucket < 75) or the held-out ``eval`` part."""
    if part not in {"train", "eval", "all"}:
        raise ValueError(f"unknown X-CI part {part!r}")
    path = Path(data_dir) / "complaints-severity-xci" / "X-CI_Dataset.csv"
    examples: list[ComplaintExample] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("tweet") or "").strip()
            if not text:
                continue
            complaint = int(row["label"])
            severity = int(row["Severity"]) if complaint else 0
            in_train = xci_bucket(text) < XCI_TRAIN_PERCENT
            if part == "all" or (part == "train") == in_train:
                examples.append(ComplaintExample(text, complaint, severity))
    return examples
