"""The labelled impostor-reply set: loading it and measuring the detector on it.

Impostor replies are ours (`evaluation/impostor_replies.csv`, written from publicly documented
scam patterns). Genuine replies are real TWCS tweets: the repository keeps only their ids
(`evaluation/genuine_replies.csv`); the text is read from the shared data folder at run time.
Each row names the brand whose customer thread it appears in. Real brand replies are scored
in *another* brand's thread (the brand itself would be recognised as official, which proves
nothing): a stranger writing in support language is the hardest honest negative.
"""

from __future__ import annotations

import csv
import hashlib
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from monitor.config import BrandSettings, ImpostorSettings
from monitor.errors import UserFacingError
from monitor.impostors.score import BrandProfile, ReplyFacts, score_reply
from monitor.sources.replay import read_twcs

EVALUATION = Path(__file__).resolve().parents[2] / "evaluation"
IMPOSTORS_CSV = EVALUATION / "impostor_replies.csv"
GENUINE_CSV = EVALUATION / "genuine_replies.csv"
TWCS_FOLDER = "customer-support-twitter"

BRANDS_TOML = EVALUATION / "brands.toml"


def _brands() -> dict[str, BrandSettings]:
    """What each brand's team would put in `[brand]`: names, official accounts, own domains."""
    tree = tomllib.loads(BRANDS_TOML.read_text(encoding="utf-8"))
    return {key: BrandSettings.model_validate(value) for key, value in tree.items()}


BRANDS = _brands()


@dataclass(frozen=True)
class Example:
    id: str
    label: bool  # True: impostor
    brand: str  # key of BRANDS: the thread it appears in
    facts: ReplyFacts
    split: str  # dev or test
    group: str  # scam pattern, or brand_reply / customer for genuine ones


def split_of(example_id: str) -> str:
    """Stable 40/60 dev/test split by hash: the same row is always on the same side."""
    return "dev" if hashlib.sha256(example_id.encode()).digest()[0] < 102 else "test"


def stranger_brand(author: str) -> str:
    """The brand thread in which a real brand reply is scored: never the author's own."""
    return "AmazonHelp" if author.casefold() != "amazonhelp" else "AppleSupport"


def load_impostors(path: Path = IMPOSTORS_CSV) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(
                row["id"],
                True,
                row["brand"],
                ReplyFacts(row["handle"], row["text"], display_name=row["display_name"] or None),
                split_of(row["id"]),
                row["pattern"],
            )
            for row in csv.DictReader(handle)
        ]


def twcs_files(data_dir: Path) -> list[Path]:
    folder = data_dir / TWCS_FOLDER
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        raise UserFacingError(
            f"no TWCS files in {folder}: set data_dir (or MONITOR_DATA_DIR) to the shared data"
        )
    return files


def load_genuine(data_dir: Path, path: Path = GENUINE_CSV) -> list[Example]:
    """The labelled genuine replies, their text read from the TWCS files by tweet id."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    wanted = {row["tweet_id"]: row for row in rows}
    texts: dict[str, tuple[str, str]] = {}
    for file in twcs_files(data_dir):
        for post in read_twcs(file):
            if post.external_id in wanted:
                texts[post.external_id] = (post.author.handle, post.text)
    missing = [tweet_id for tweet_id in wanted if tweet_id not in texts]
    if missing:
        raise UserFacingError(
            f"{len(missing)} labelled tweets (e.g. {missing[0]}) are not in "
            f"{data_dir / TWCS_FOLDER}: use the shared TWCS files the ids were drawn from"
        )
    return [
        Example(
            f"twcs-{row['tweet_id']}",
            False,
            row["brand"],
            ReplyFacts(*texts[row["tweet_id"]]),
            split_of(row["tweet_id"]),
            row["group"],
        )
        for row in rows
    ]


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, label: bool, flagged: bool) -> None:
        if label and flagged:
            self.tp += 1
        elif label:
            self.fn += 1
        elif flagged:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fp_rate(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0


def evaluate(
    examples: Iterable[Example], settings: ImpostorSettings
) -> Iterator[tuple[Example, bool]]:
    profiles = {key: BrandProfile.from_settings(brand) for key, brand in BRANDS.items()}
    for example in examples:
        yield example, score_reply(example.facts, profiles[example.brand], settings).flagged


def brand_replies(data_dir: Path) -> Iterator[tuple[str, str]]:
    """(author, text) of every real brand reply (inbound False) in the shared TWCS files."""
    for file in twcs_files(data_dir):
        for post in read_twcs(file):
            if not post.inbound:
                yield post.author.handle, post.text
