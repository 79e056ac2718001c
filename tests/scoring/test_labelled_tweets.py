"""The hand-labelled TWCS evaluation set: ids resolve to real inbound tweets, splits hold."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from monitor.scoring.training.labelled_tweets import (
    COLUMNS,
    LABELS_PATH,
    SPOTIFY_BRAND,
    SPOTIFY_FILE,
    TOPICS,
    TWCS_FILE,
    TWCS_FOLDER,
    LabelledTweetsError,
    load_labelled_tweets,
    read_labels,
)
from monitor.sources.replay import read_twcs

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
# Fixed by the seeded draw, before labelling: rounds 1-2 (dev 239, test 561), round 3 (retail:
# dev 100, test 150, its holdout until round 4) and round 4 (retail: holdout 206).
ROWS_PER_SPLIT = {"dev": 339, "test": 711, "holdout": 206}
ROWS_PER_STRATUM = {"random": 500, "prefilter": 300, "retail": 456}
SECOND_PASS = LABELS_PATH.with_name("tweet-labels-second-pass.csv")


@pytest.fixture(scope="module")
def data_dir() -> Path:
    if not (SHARED_DATA / TWCS_FOLDER).is_dir():
        pytest.skip(f"the shared TWCS files are not at {SHARED_DATA / TWCS_FOLDER}")
    return SHARED_DATA


def _rows() -> list[dict[str, str]]:
    with LABELS_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_labels_file_holds_ids_and_labels_only() -> None:
    with LABELS_PATH.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    # No text, file or brand column: what the shared data says is read from it, not copied.
    assert (
        tuple(header)
        == COLUMNS
        == (
            "tweet_id",
            "split",
            "stratum",
            "urgency",
            "topics",
            "language",
        )
    )
    with SECOND_PASS.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["tweet_id", "urgency", "topics"]
    rows = _rows()
    assert Counter(row["split"] for row in rows) == ROWS_PER_SPLIT
    assert Counter(row["stratum"] for row in rows) == ROWS_PER_STRATUM
    assert all(row["urgency"] for row in rows)  # every drawn tweet is labelled
    assert Counter(row["urgency"] for row in rows)["3"] >= 50


def test_brands_are_derived_from_the_shared_files(data_dir: Path) -> None:
    tweets = load_labelled_tweets(data_dir)
    brands = Counter(t.brand for t in tweets)
    assert len(brands) >= 10 and max(brands.values()) <= 0.35 * len(tweets)
    assert all(t.brand for t in tweets)
    assert {t.file for t in tweets} == {TWCS_FILE, SPOTIFY_FILE}
    assert all(t.brand == SPOTIFY_BRAND for t in tweets if t.file == SPOTIFY_FILE)
    by_id = {t.tweet_id: t for t in tweets}
    # 634 replies to an AmazonHelp tweet in the many-brand file (brand from the thread).
    assert (by_id["634"].file, by_id["634"].brand) == (TWCS_FILE, "AmazonHelp")


def test_the_sample_script_redraws_the_labelled_ids(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location(
        "sample_twcs", LABELS_PATH.with_name("sample_twcs.py")
    )
    assert spec is not None and spec.loader is not None
    sample = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, sample)  # its dataclasses look themselves up
    spec.loader.exec_module(sample)
    drawn = {(r["tweet_id"], r["split"], r["stratum"]) for r in sample.draw(data_dir / TWCS_FOLDER)}
    assert drawn == {(r["tweet_id"], r["split"], r["stratum"]) for r in _rows()}


def test_second_pass_covers_a_tenth_of_rounds_one_and_two() -> None:
    """Round 3 (stratum retail) had no second pass (GUIDELINE.md, "Round 3")."""
    with SECOND_PASS.open(encoding="utf-8", newline="") as handle:
        second = list(csv.DictReader(handle))
    ids = [row["tweet_id"] for row in _rows() if row["stratum"] != "retail"]
    assert len(second) == len(ids) // 10
    assert {row["tweet_id"] for row in second} <= set(ids)
    assert len({row["tweet_id"] for row in second}) == len(second)


def test_every_label_resolves_to_an_inbound_tweet(data_dir: Path) -> None:
    tweets = load_labelled_tweets(data_dir)
    labelled = [row for row in _rows() if row["urgency"]]
    assert [t.tweet_id for t in tweets] == [row["tweet_id"] for row in labelled]
    inbound: dict[tuple[str, str], bool] = {}
    for name in {t.file for t in tweets}:
        for post in read_twcs(data_dir / TWCS_FOLDER / name):
            inbound[(name, post.external_id)] = post.inbound
    for tweet in tweets:
        assert inbound[(tweet.file, tweet.tweet_id)] is True, tweet.tweet_id
        assert tweet.text.strip()
        assert 0 <= tweet.urgency <= 3
        assert tweet.topics and set(tweet.topics) <= set(TOPICS)
        assert len(tweet.language) == 2


def test_splits_are_disjoint_and_counted(data_dir: Path) -> None:
    loaded = {split: load_labelled_tweets(data_dir, split=split) for split in ROWS_PER_SPLIT}
    for split, tweets in loaded.items():
        assert all(t.split == split for t in tweets)
    ids = [{t.tweet_id for t in tweets} for tweets in loaded.values()]
    assert all(a.isdisjoint(b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    by_split: dict[str, set[str]] = {}
    for row in _rows():  # labelled or not, no id sits in two splits
        by_split.setdefault(row["split"], set()).add(row["tweet_id"])
    assert by_split["dev"].isdisjoint(by_split["test"])
    assert by_split["holdout"].isdisjoint(by_split["dev"] | by_split["test"])
    assert sum(map(len, by_split.values())) == sum(ROWS_PER_SPLIT.values()) == len(_rows())
    labelled = Counter(row["split"] for row in _rows() if row["urgency"])
    assert {split: len(tweets) for split, tweets in loaded.items()} == labelled == ROWS_PER_SPLIT
    dev = loaded["dev"]
    holdout = load_labelled_tweets(data_dir, split="holdout", stratum="retail")
    assert {t.tweet_id for t in holdout} == {t.tweet_id for t in loaded["holdout"]}
    prefilter = load_labelled_tweets(data_dir, split="dev", stratum="prefilter")
    assert prefilter and {t.stratum for t in prefilter} == {"prefilter"}
    assert {t.tweet_id for t in prefilter} < {t.tweet_id for t in dev}


def test_missing_shared_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LabelledTweetsError, match=r"Shared tweet folder .* not found"):
        load_labelled_tweets(tmp_path)
    (tmp_path / TWCS_FOLDER).mkdir()
    with pytest.raises(LabelledTweetsError, match=r"not found in .*customer-support-twitter"):
        load_labelled_tweets(tmp_path)


def test_missing_second_shared_file_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / TWCS_FOLDER).mkdir()
    shutil.copy(data_dir / TWCS_FOLDER / TWCS_FILE, tmp_path / TWCS_FOLDER / TWCS_FILE)
    with pytest.raises(LabelledTweetsError, match=f"{SPOTIFY_FILE}' not found"):
        load_labelled_tweets(tmp_path)


def _labels_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "labels.csv"
    path.write_text(",".join(COLUMNS) + "\n" + "".join(f"{row}\n" for row in rows))
    return path


def test_a_brand_reply_is_not_accepted_as_a_customer_tweet(data_dir: Path, tmp_path: Path) -> None:
    # Tweet 1 of the many-brand file is sprintcare's reply, not a customer's tweet.
    labels = _labels_file(tmp_path, "1,dev,random,1,other,en")
    with pytest.raises(LabelledTweetsError, match="not inbound customer tweets"):
        load_labelled_tweets(data_dir, labels_path=labels)


def test_an_unknown_tweet_id_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    labels = _labels_file(
        tmp_path, "634,dev,random,2,delivery,en", "999999999999,test,random,1,other,en"
    )
    with pytest.raises(
        LabelledTweetsError, match=r"1 labelled tweet\(s\) not found .*: 999999999999\."
    ):
        load_labelled_tweets(data_dir, labels_path=labels)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("5,dev,random,4,other,en", "urgency '4'"),
        ("5,dev,random,2,shipping,en", "topics 'shipping'"),
        ("5,train,random,2,other,en", "split 'train'"),
    ],
)
def test_malformed_labels_name_the_line(tmp_path: Path, row: str, problem: str) -> None:
    with pytest.raises(LabelledTweetsError, match=f"labels.csv line 2: {problem}"):
        read_labels(_labels_file(tmp_path, row))


def test_unlabelled_rows_are_left_out(tmp_path: Path) -> None:
    labels = _labels_file(
        tmp_path,
        "5,dev,random,,,",
        "6,test,prefilter,3,billing;account_security,en",
    )
    (label,) = read_labels(labels)
    assert (label.tweet_id, label.urgency, label.topics) == (
        "6",
        3,
        ("billing", "account_security"),
    )


def test_missing_or_repeated_labels_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(LabelledTweetsError, match="Labels file not found"):
        read_labels(tmp_path / "absent.csv")
    row = "6,test,random,1,other,en"
    with pytest.raises(LabelledTweetsError, match="line 3: tweet 6 twice"):
        read_labels(_labels_file(tmp_path, row, row))
