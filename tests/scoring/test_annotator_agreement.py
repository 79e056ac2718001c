"""Second annotators: the file, how its sample was drawn, the kappa arithmetic, and the
agreement itself (GUIDELINE.md, "Second annotators")."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from monitor.scoring.annotator_agreement import (
    SECOND_ANNOTATOR_PATH,
    SecondLabel,
    agreement,
    cohen_kappa,
    read_second_labels,
)
from monitor.scoring.training.labelled_tweets import LabelledTweetsError, TweetLabel, read_labels

SAMPLE_SEED = 20261208  # the random 150 of rounds 1-3 given to annotator C
SAMPLE_SIZE = 150


def test_kappa_matches_hand_worked_examples() -> None:
    # 10 items, 2 levels: agree on 7; observed 0.7, expected 0.5*0.6 + 0.5*0.4 = 0.5.
    a = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    b = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0]
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-3)
    assert cohen_kappa(a, a) == 1.0
    # A near miss (1 vs 2) costs a quadratic kappa less than a far one (0 vs 3).
    near = cohen_kappa([0, 1, 2, 3, 1], [0, 2, 2, 3, 1], quadratic=True)
    far = cohen_kappa([0, 1, 2, 3, 0], [0, 1, 2, 3, 3], quadratic=True)
    assert near is not None and far is not None and near > far
    assert cohen_kappa([], []) is None


def test_agreement_counts_only_tweets_both_labelled() -> None:
    main = [
        TweetLabel("1", "dev", "random", 3, ("account_security", "billing"), "en"),
        TweetLabel("2", "dev", "random", 1, ("product_question",), "en"),
        TweetLabel("3", "dev", "random", 0, ("praise",), "en"),
    ]
    second = [
        SecondLabel("1", 3, frozenset({"account_security", "billing"})),
        SecondLabel("2", 2, frozenset({"product_question", "support_complaint"})),
        SecondLabel("9", 0, frozenset({"other"})),  # not in the main labels: ignored
    ]
    result = agreement(main, second)
    assert result["posts"] == 2
    assert result["urgency_identical"] == 0.5
    assert result["top_level"] == {"main": 1, "second": 1, "kappa": 1.0}
    assert result["topic_sets_identical"] == 0.5
    assert result["topic_f1"]["product_question"]["f1"] == 1.0
    assert result["topic_f1"]["support_complaint"]["f1"] == 0.0
    assert agreement(main, [])["posts"] == 0


def test_a_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LabelledTweetsError, match="not found"):
        read_second_labels(tmp_path / "missing.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,urgency\n1,2\n", encoding="utf-8")
    with pytest.raises(LabelledTweetsError, match="columns must be"):
        read_second_labels(wrong)
    bad = tmp_path / "bad.csv"
    bad.write_text("tweet_id,urgency,topics,language\n1,4,delivery,en\n", encoding="utf-8")
    with pytest.raises(LabelledTweetsError, match="line 2"):
        read_second_labels(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text(
        "tweet_id,urgency,topics,language\n1,2,delivery,en\n1,1,other,en\n", encoding="utf-8"
    )
    with pytest.raises(LabelledTweetsError, match="line 3: tweet 1 twice"):
        read_second_labels(twice)


def test_the_file_covers_the_holdout_and_a_seeded_sample_of_the_rest() -> None:
    labels = read_labels()
    second = read_second_labels(SECOND_ANNOTATOR_PATH)
    ids = [s.tweet_id for s in second]
    assert len(ids) == len(set(ids))
    earlier = [label.tweet_id for label in labels if label.split != "holdout"]
    holdout = [label.tweet_id for label in labels if label.split == "holdout"]
    assert ids[:SAMPLE_SIZE] == random.Random(SAMPLE_SEED).sample(earlier, SAMPLE_SIZE)
    assert ids[SAMPLE_SIZE:] == holdout


def test_second_annotators_agree_with_the_labels_closely() -> None:
    """The guideline is what the labels measure, not one reader's taste: if a relabelling
    broke that, every figure on these labels would need rereading."""
    labels = read_labels()
    second = read_second_labels()
    for split in ("dev", "test", "holdout"):
        result = agreement([label for label in labels if label.split == split], second)
        assert result["posts"] >= 40
        assert result["urgency_quadratic_kappa"] >= 0.85
        assert result["topic_sets_identical"] >= 0.8
