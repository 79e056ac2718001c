"""The topic head: every post gets every topic's probability from the same encoder pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.scoring.encoder_model import MultiTaskEncoder
from monitor.scoring.model import ModelUnavailableError, TextModel
from monitor.scoring.topics import TOPICS, TopicHead, route_intent, topics_above


def test_routing_priority_is_documented_and_fraud_comes_first() -> None:
    assert route_intent(["billing", "account_security", "delivery"]) == "account_security"
    assert route_intent(["billing", "delivery"]) == "delivery"  # Prime mentioned in passing
    assert route_intent(["praise", "support_complaint"]) == "support_complaint"
    assert route_intent([]) == "other"


def test_topics_above_threshold_most_probable_first_other_only_alone() -> None:
    thresholds = dict.fromkeys(TOPICS, 0.5)
    probs = dict.fromkeys(TOPICS, 0.1) | {"billing": 0.7, "delivery": 0.9, "other": 0.8}
    assert topics_above(probs, thresholds) == ["delivery", "billing"]
    assert topics_above(dict.fromkeys(TOPICS, 0.1), thresholds) == ["other"]


def test_every_post_gets_every_topic_from_the_embedding_of_the_same_pass(
    text_model: TextModel,
) -> None:
    assert isinstance(text_model, MultiTaskEncoder) and text_model.topic_head is not None
    texts = ["my parcel never came and tracking says delivered", "I can't log into my account"]
    predictions = text_model.predict(texts)
    for prediction in predictions:
        assert prediction.topics is not None and set(prediction.topics) == set(TOPICS)
        assert prediction.embedding is not None
        assert abs(float(np.linalg.norm(prediction.embedding)) - 1) < 1e-3
    # The head reads the embedding output of the same ONNX pass: no second encoder call.
    head = text_model.topic_head
    raw = text_model.predict_arrays(texts)["embedding"]
    assert predictions[0].topics == TopicHead.as_dict(head.probabilities(raw, texts)[0])
    assert np.allclose(head.centre(raw), np.stack([p.embedding for p in predictions]), atol=1e-5)
    assert max(predictions[0].topics, key=predictions[0].topics.__getitem__) == "delivery"
    assert max(predictions[1].topics, key=predictions[1].topics.__getitem__) == "account_access"
    assert text_model.version.endswith("+" + head.version)


def test_a_missing_head_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="monitor model train"):
        TopicHead.load(tmp_path)
