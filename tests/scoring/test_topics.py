"""The topic head: every post gets every topic's probability from the same encoder pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.config import StakesSettings
from monitor.scoring.assess import assess
from monitor.scoring.encoder_model import MultiTaskEncoder
from monitor.scoring.model import ModelUnavailableError, TextModel
from monitor.scoring.topics import TOPICS, TopicHead, floor_topics, route_intent, topics_above


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


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("still no sign of my parcel, tracking hasn't moved in a week", "delivery"),
        ("my order hasn\u2019t arrived yet", "delivery"),
        ("the box arrived damaged", "delivery"),
        ("I have still not received my order", "delivery"),
        ("I sent it back 3 weeks ago, where is my refund?", "refund_return"),
        ("can I return these shoes", "refund_return"),
        ("I can\u2019t log in because it\u2019s locked", "account_access"),
        ("where is my ordr? its been 2 weeks, trackng hasnt moved", "delivery"),
        ("I don't receive an item I paid for", "delivery"),
        ("still no sign of the costume I ordered in September", "delivery"),
        ("I'd like to reroute all my packages to a locker", "delivery"),
        ("ordered a laptop and received an empty box", "delivery"),
        ("the UPS driver left it in the rain", "delivery"),
        ("#misship again", "delivery"),
        ("still waiting for my order, this is ridiculous", "delivery"),
        ("received someone else's order with their name on it", "delivery"),
        ("the item is not what I ordered, wrong size", "delivery"),
        ("it was sent to the wrong address", "delivery"),
        ("my order was supposed to come today", "delivery"),
        ("how do I send this back", "refund_return"),
        ("they said it would be credited. Still no credit.", "refund_return"),
        ("now they refuse to pay for the damages", "refund_return"),
        ("refund issued on the 13th and still no sign of my money", "refund_return"),
        ("I changed phones and now can't get the 2 step code", "account_access"),
        ("how do i change the email address on my account", "account_access"),
        ("forgot which email I used and the password reset never comes", "account_access"),
        # The encoder reads English only: in other languages the floors are all there is.
        ("mi paquete no ha llegado", "delivery"),
        ("Meine Bestellung war unzustellbar", "delivery"),
        ("注文した商品が届かない", "delivery"),
        ("je veux être remboursé", "refund_return"),
        ("bekomme ich mein Geld zurück?", "refund_return"),
        ("返金してください", "refund_return"),
    ],
)
def test_keyword_floors_catch_plain_statements(text: str, topic: str) -> None:
    assert topic in floor_topics(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("can I drop a channel from my cable package", "delivery"),
        ("three songs are missing from the album", "delivery"),
        ("my Uber driver was really friendly", "delivery"),
        ("I disabled the app and it works now", "account_access"),
        ("how do I change my playlist cover", "refund_return"),
        ("me encanta esta canción", "delivery"),
        ("ありがとうございました", "delivery"),
        ("the package deal was good value", "refund_return"),
        ("I still haven't received an email on how to unlock it", "delivery"),
        ("did not receive a reply nor a phone call yesterday", "delivery"),
        ("No resolutions or follow ups. Ups and downs all week", "delivery"),
        ("the new model doesn't come with a charger", "delivery"),
        ("the song doesn't show up in search", "delivery"),
        ("still no sign of the track on the app", "delivery"),
        ("I put the wrong address when I joined the family plan", "delivery"),
        ("forgot my password and the reset email never arrives", "delivery"),
        ("the code still hasn't come through", "delivery"),
    ],
)
def test_keyword_floors_leave_other_senses_alone(text: str, topic: str) -> None:
    assert topic not in floor_topics(text)


def test_a_floor_adds_its_topic_beside_the_head(text_model: TextModel) -> None:
    texts = [
        "I can\u2019t log in because it\u2019s locked.",
        "ok, the tracking says it\u2019s in transit",
    ]
    seen = assess(texts, text_model.predict(texts), text_model, StakesSettings())
    assert "account_access" in seen[0].topics and seen[0].intent == "account_access"
    assert "delivery" in seen[1].topics


def test_a_double_charge_is_billing_and_an_unknown_charge_is_security(
    text_model: TextModel,
) -> None:
    texts = [
        "I\u2019ve been charged twice for my order this month",
        "there\u2019s a charge on my card for something I never ordered",
    ]
    double, unknown = assess(texts, text_model.predict(texts), text_model, StakesSettings())
    assert "money_taken" in double.stakes and "money_taken" in unknown.stakes
    assert "billing" in double.topics and "account_security" not in double.topics
    assert "account_security" in unknown.topics


def test_a_stolen_parcel_goes_to_delivery_unless_the_account_was_used_too(
    text_model: TextModel,
) -> None:
    texts = [
        "my parcel was stolen from my doorstep after the driver left it in plain view",
        "my parcel was stolen and now someone is using my card on your site",
    ]
    parcel, fraud = assess(texts, text_model.predict(texts), text_model, StakesSettings())
    assert parcel.intent == "delivery" and "account_security" not in parcel.topics
    assert fraud.intent == "account_security" and "delivery" in fraud.topics


@pytest.mark.parametrize(
    "text",
    [
        "cool, thanks for taking \u00a389 out of my account for something I never ordered",
        "Wow, great job taking money out of my bank for an order I cancelled. Love it.",
    ],
)
def test_sarcastic_thanks_for_money_taken_is_not_praise(text: str, text_model: TextModel) -> None:
    (seen,) = assess([text], text_model.predict([text]), text_model, StakesSettings())
    assert "money_taken" in seen.stakes and seen.intent == "account_security"
    assert "praise" not in seen.topics
