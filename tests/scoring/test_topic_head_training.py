"""The topic head's training steps that need no encoder: thresholds from out-of-fold
probabilities, and the training set the cross-validation folds are built from."""

from __future__ import annotations

import numpy as np

from monitor.scoring.topics import TOPICS
from monitor.scoring.training.topic_head import TrainingSet, choose_thresholds, floor_flags


def test_each_topic_gets_the_threshold_with_the_best_f1() -> None:
    n = len(TOPICS)
    labels = np.zeros((6, n), dtype=np.int64)
    probabilities = np.full((6, n), 0.1)
    delivery = TOPICS.index("delivery")
    labels[:3, delivery] = 1
    # Positives at 0.72-0.8, a negative at 0.6: only a threshold above 0.6 and up to 0.72
    # keeps all three and drops it.
    probabilities[:, delivery] = [0.8, 0.75, 0.72, 0.6, 0.2, 0.1]

    thresholds, figures = choose_thresholds(labels, probabilities)

    assert 0.6 < thresholds["delivery"] <= 0.72
    assert figures["delivery"] == {"support": 3, "f1_at_threshold": 1.0, "f1_at_0.5": 0.857}
    assert thresholds["praise"] == 0.5  # no positives: the neutral default
    assert figures["praise"]["support"] == 0


def test_thresholds_count_the_keyword_floors_as_posts_are_scored() -> None:
    n = len(TOPICS)
    refund = TOPICS.index("refund_return")
    labels = np.zeros((6, n), dtype=np.int64)
    labels[:3, refund] = 1
    probabilities = np.full((6, n), 0.1)
    # Two positives the head is unsure of (0.55) but the floor finds; a negative at 0.6.
    probabilities[:, refund] = [0.95, 0.55, 0.55, 0.6, 0.2, 0.1]
    texts = ["x", "I want a refund", "please refund me", "hello", "hi", "ok"]
    floors = floor_flags(texts)
    assert floors[:, refund].tolist() == [False, True, True, False, False, False]

    alone, _ = choose_thresholds(labels, probabilities)
    together, figures = choose_thresholds(labels, probabilities, floors)

    assert alone["refund_return"] <= 0.55  # alone, the head must take the 0.6 negative too
    assert 0.6 < together["refund_return"] <= 0.95  # the floor keeps the unsure positives
    assert figures["refund_return"]["f1_at_threshold"] == 1.0


def test_training_set_rows_keep_their_weights() -> None:
    base = TrainingSet(np.ones((2, 3)), np.zeros((2, 4), dtype=np.int64), np.array([0.25, 8.0]))
    more = base.plus(np.zeros((3, 3)), np.ones((3, 4), dtype=np.int64), 10.0)
    assert more.features.shape == (5, 3) and more.labels.shape == (5, 4)
    assert more.weights.tolist() == [0.25, 8.0, 10.0, 10.0, 10.0]
    assert base.weights.tolist() == [0.25, 8.0]  # the base set is not changed
