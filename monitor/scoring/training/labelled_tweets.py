"""Hand-labelled real customer tweets (TWCS) for evaluating urgency and topics.

The project commits only tweet ids and labels (``evaluation/twcs-labels.csv``, written following
``evaluation/GUIDELINE.md``); the tweet text is joined at run time from the shared data folder,
read in place like the other training data (``<data_dir>/customer-support-twitter/<file>``).

Each row carries a ``split`` (``dev`` for tuning, ``test`` held out: never tune on it) and a
``stratum`` (``random`` sample, or ``prefilter``: drawn among tweets matching generic at-stake
words, so not representative of traffic; report the two separately). Rows not labelled yet
(empty urgency) are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from monitor.errors import UserFacingError
from monitor.scoring.topics import TOPICS
from monitor.sources.replay import read_twcs

TWCS_FOLDER = "customer-support-twitter"
LABELS_PATH = Path(__file__).resolve().parents[3] / "evaluation" / "twcs-labels.csv"
SPLITS = ("dev", "test")
STRATA = ("random", "prefilter")
COLUMNS = ("tweet_id", "file", "brand", "split", "stratum", "urgency", "topics", "language")


class LabelledTweetsError(UserFacingError):
    """The labels or the shared tweets they point to cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class TweetLabel:
    """One row of the labels file, without the tweet text."""

    tweet_id: str
    file: str  # file name inside customer-support-twitter/
    brand: str  # the support handle the customer addressed
    split: str  # dev | test
    stratum: str  # random | prefilter
    urgency: int  # 0 no action .. 3 needs a human now
    topics: tuple[str, ...]  # from TOPICS, at least one
    language: str  # ISO 639-1


@dataclass(frozen=True, slots=True)
class LabelledTweet(TweetLabel):
    """A labelled tweet joined with its text from the shared data folder."""

    text: str


def load_labelled_tweets(
    data_dir: Path,
    *,
    split: str | None = None,
    stratum: str | None = None,
    labels_path: Path = LABELS_PATH,
) -> list[LabelledTweet]:
    """Labelled tweets with their text, in the order of the labels file.

    ``data_dir`` is the shared data folder (the one holding ``customer-support-twitter/``).
    ``split``/``stratum`` keep only those rows. Raises LabelledTweetsError when the labels file
    is malformed, a shared TWCS file is missing, or a labelled id is not an inbound tweet there.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    if stratum is not None and stratum not in STRATA:
        raise ValueError(f"unknown stratum {stratum!r}: use one of {', '.join(STRATA)}")
    labels = [
        label
        for label in read_labels(labels_path)
        if (split is None or label.split == split) and (stratum is None or label.stratum == stratum)
    ]
    texts = _inbound_texts(Path(data_dir) / TWCS_FOLDER, labels)
    return [
        LabelledTweet(**asdict(label), text=texts[(label.file, label.tweet_id)]) for label in labels
    ]


def read_labels(path: Path = LABELS_PATH) -> list[TweetLabel]:
    """The labelled rows of the labels file, checked; unlabelled rows are left out."""
    if not path.is_file():
        raise LabelledTweetsError(
            f"Labels file not found: {path}. It ships with the project as "
            "evaluation/twcs-labels.csv; pass labels_path to use another copy."
        )
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise LabelledTweetsError(f"{path}: missing column(s) {', '.join(missing)}.")
        labels: list[TweetLabel] = []
        seen: set[str] = set()
        for row in reader:
            line = reader.line_num
            if not row["urgency"].strip():
                continue
            label = _parse(row, f"{path.name} line {line}")
            if label.tweet_id in seen:
                raise LabelledTweetsError(f"{path.name} line {line}: tweet {label.tweet_id} twice.")
            seen.add(label.tweet_id)
            labels.append(label)
    return labels


def _parse(row: dict[str, str], where: str) -> TweetLabel:
    urgency = row["urgency"].strip()
    if urgency not in {"0", "1", "2", "3"}:
        raise LabelledTweetsError(f"{where}: urgency {urgency!r} is not 0, 1, 2 or 3.")
    topics = tuple(t.strip() for t in row["topics"].split(";") if t.strip())
    unknown = [t for t in topics if t not in TOPICS]
    if not topics or unknown:
        raise LabelledTweetsError(
            f"{where}: topics {row['topics']!r} must be ';'-separated names from "
            f"{', '.join(TOPICS)}."
        )
    if row["split"] not in SPLITS or row["stratum"] not in STRATA:
        raise LabelledTweetsError(
            f"{where}: split {row['split']!r} / stratum {row['stratum']!r} must be one of "
            f"{'/'.join(SPLITS)} and {'/'.join(STRATA)}."
        )
    if not row["tweet_id"].strip().isdigit() or not row["language"].strip():
        raise LabelledTweetsError(f"{where}: needs a numeric tweet_id and a language code.")
    return TweetLabel(
        tweet_id=row["tweet_id"].strip(),
        file=row["file"].strip(),
        brand=row["brand"].strip(),
        split=row["split"],
        stratum=row["stratum"],
        urgency=int(urgency),
        topics=topics,
        language=row["language"].strip(),
    )


def _inbound_texts(folder: Path, labels: Iterable[TweetLabel]) -> dict[tuple[str, str], str]:
    """Text of every labelled tweet, read from its shared TWCS file (each file read once)."""
    wanted: dict[str, set[str]] = {}
    for label in labels:
        wanted.setdefault(label.file, set()).add(label.tweet_id)
    texts: dict[tuple[str, str], str] = {}
    for name, ids in sorted(wanted.items()):
        path = folder / name
        if Path(name).name != name or not path.is_file():
            raise LabelledTweetsError(
                f"Shared tweet file {name!r} not found in {folder}: pass the shared data folder "
                f"that holds {TWCS_FOLDER}/ (see its SOURCE.md)."
            )
        not_inbound: list[str] = []
        for post in read_twcs(path):
            if post.external_id in ids:
                if post.inbound:
                    texts[(name, post.external_id)] = post.text
                else:
                    not_inbound.append(post.external_id)
        absent = sorted(ids - {tweet_id for file, tweet_id in texts if file == name})
        if absent:
            shown = ", ".join(absent[:5]) + (", ..." if len(absent) > 5 else "")
            what = "not inbound customer tweets" if set(absent) <= set(not_inbound) else "missing"
            raise LabelledTweetsError(
                f"{len(absent)} labelled tweet(s) {what} in {path}: {shown}. The labels and the "
                "shared file disagree: check you have the file described in SOURCE.md."
            )
    return texts
