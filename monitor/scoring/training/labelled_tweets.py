"""Hand-labelled real customer tweets (TWCS) for evaluating urgency and topics.

The project commits only tweet ids and its own labels (``evaluation/tweet-labels.csv``, written
following ``evaluation/GUIDELINE.md``). Everything else about a tweet (its text, which shared
file holds it, which brand it addresses) is derived at run time from the shared data folder,
read in place like the other training data (``<data_dir>/customer-support-twitter/``), by the
same rules that drew the sample (`customer_tweets`).

Each row carries a ``split`` (``dev`` for tuning, ``test`` held out: never tune on it) and a
``stratum`` (``random`` sample, or ``prefilter``: drawn among tweets matching generic at-stake
words, so not representative of traffic; report the two separately). Rows not labelled yet
(empty urgency) are skipped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from monitor.errors import UserFacingError
from monitor.scoring.topics import TOPICS
from monitor.sources.base import IncomingPost
from monitor.sources.replay import ReplayFileError, read_twcs

TWCS_FOLDER = "customer-support-twitter"
TWCS_FILE = "twcs_first5000rows.csv"  # many brands
SPOTIFY_FILE = "spotifycares_inbound_support_requests.csv"  # one brand
SPOTIFY_BRAND = "SpotifyCares"
LABELS_PATH = Path(__file__).resolve().parents[3] / "evaluation" / "tweet-labels.csv"
SPLITS = ("dev", "test", "holdout")
STRATA = ("random", "prefilter", "retail")
COLUMNS = ("tweet_id", "split", "stratum", "urgency", "topics", "language")
_MENTION = re.compile(r"@(\w+)")


class LabelledTweetsError(UserFacingError):
    """The labels or the shared tweets they point to cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class TweetLabel:
    """One row of the labels file: the id and the project's own labels."""

    tweet_id: str
    split: str  # one of SPLITS
    stratum: str  # one of STRATA
    urgency: int  # 0 no action .. 3 needs a human now
    topics: tuple[str, ...]  # from TOPICS, at least one
    language: str  # ISO 639-1


@dataclass(frozen=True, slots=True)
class LabelledTweet(TweetLabel):
    """A labelled tweet joined with what the shared data folder says about it."""

    file: str  # file name inside customer-support-twitter/
    brand: str  # the support handle the customer addressed
    text: str


@dataclass(frozen=True, slots=True)
class CustomerTweet:
    """An inbound customer tweet of the shared TWCS files whose addressed brand is known."""

    post: IncomingPost
    file: str
    brand: str


def brand_of(post: IncomingPost, by_id: dict[str, IncomingPost], brands: set[str]) -> str:
    """The support handle a customer tweet is addressed to: thread first, then @mentions.

    The brand tweet it replies to, else the brand's reply to it, else an @mention of a handle
    in ``brands``; empty when none of these tells.
    """
    parent = by_id.get(post.in_reply_to_id or "")
    if parent is not None and not parent.inbound:
        return parent.author.external_id
    raw = post.raw or {}
    for reply_id in (raw.get("response_tweet_id") or "").split(","):
        reply = by_id.get(reply_id.strip().split(".")[0])
        if reply is not None and not reply.inbound:
            return reply.author.external_id
    lowered = {brand.lower(): brand for brand in brands}
    for handle in _MENTION.findall(post.text):
        if handle.lower() in lowered:
            return lowered[handle.lower()]
    return ""


def customer_tweets(folder: Path) -> Iterator[CustomerTweet]:
    """The inbound customer tweets the labelled sample was drawn from, with file and brand.

    First the many-brand file's inbound tweets with text whose brand can be told, then the
    SpotifyCares file's inbound tweets with text that are not already among them. ``folder``
    is the shared ``customer-support-twitter`` folder; a missing or unreadable file raises
    LabelledTweetsError.
    """
    posts = _read(folder, TWCS_FILE)
    by_id = {post.external_id: post for post in posts}
    brands = {post.author.external_id for post in posts if not post.inbound}
    seen: set[str] = set()
    for post in posts:
        brand = brand_of(post, by_id, brands) if post.inbound else ""
        if brand and post.text.strip():
            seen.add(post.external_id)
            yield CustomerTweet(post, TWCS_FILE, brand)
    for post in _read(folder, SPOTIFY_FILE):
        if post.inbound and post.text.strip() and post.external_id not in seen:
            yield CustomerTweet(post, SPOTIFY_FILE, SPOTIFY_BRAND)


def _read(folder: Path, name: str) -> list[IncomingPost]:
    path = folder / name
    if not path.is_file():
        raise LabelledTweetsError(
            f"Shared tweet file {name!r} not found in {folder}: pass the shared data folder "
            f"that holds {TWCS_FOLDER}/ (see its SOURCE.md)."
        )
    try:
        return list(read_twcs(path))
    except ReplayFileError as exc:
        raise LabelledTweetsError(f"Shared tweet file {path} cannot be read: {exc}") from exc


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
    is malformed, a shared TWCS file is missing, or a labelled id is not an inbound customer
    tweet there.
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
    found = _customer_tweets_by_id(
        Path(data_dir) / TWCS_FOLDER, {label.tweet_id for label in labels}
    )
    return [
        LabelledTweet(
            **asdict(label),
            file=found[label.tweet_id].file,
            brand=found[label.tweet_id].brand,
            text=found[label.tweet_id].post.text,
        )
        for label in labels
    ]


def read_labels(path: Path = LABELS_PATH) -> list[TweetLabel]:
    """The labelled rows of the labels file, checked; unlabelled rows are left out."""
    if not path.is_file():
        raise LabelledTweetsError(
            f"Labels file not found: {path}. It ships with the project as "
            "evaluation/tweet-labels.csv; pass labels_path to use another copy."
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
        split=row["split"],
        stratum=row["stratum"],
        urgency=int(urgency),
        topics=topics,
        language=row["language"].strip(),
    )


def _customer_tweets_by_id(folder: Path, ids: set[str]) -> dict[str, CustomerTweet]:
    """The customer tweet of every labelled id; a clear error names the ids that have none."""
    if not folder.is_dir():
        raise LabelledTweetsError(
            f"Shared tweet folder {folder} not found: pass the shared data folder that holds "
            f"{TWCS_FOLDER}/ (see its SOURCE.md)."
        )
    found = {t.post.external_id: t for t in customer_tweets(folder) if t.post.external_id in ids}
    absent = sorted(ids - found.keys(), key=int)
    if absent:
        replies = {
            post.external_id
            for name in (TWCS_FILE, SPOTIFY_FILE)
            for post in _read(folder, name)
            if post.external_id in ids and not post.inbound
        }
        shown = ", ".join(absent[:5]) + (", ..." if len(absent) > 5 else "")
        what = (
            "not inbound customer tweets"
            if set(absent) <= replies
            else "not found as inbound customer tweets"
        )
        raise LabelledTweetsError(
            f"{len(absent)} labelled tweet(s) {what} in {folder}: {shown}. The labels and the "
            "shared files disagree: check you have the files described in SOURCE.md."
        )
    return found
