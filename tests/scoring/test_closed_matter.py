"""A glad post that says the matter is settled needs no one, whatever it was about."""

from __future__ import annotations

import pytest

from monitor.config import StakesSettings, UrgencySettings
from monitor.scoring.assess import assess, closed_matter
from monitor.scoring.model import TextModel, TextPrediction
from monitor.scoring.urgency import PostContext, compute_urgency

GLAD = TextPrediction(negative=0.05, neutral=0.15, positive=0.80, complaint=0.05, severity=0.1)
CROSS = TextPrediction(negative=0.80, neutral=0.15, positive=0.05, complaint=0.90, severity=2.5)


@pytest.mark.parametrize(
    "text",
    [
        "Hacking issue solved in less than 20 mins. Congrats!",
        "great, that's sorted then, thanks for your help with the hacked account",
        "got my account back, thank you so much",
        "It's working again now, thanks",
        "all good now!",
    ],
)
def test_glad_words_that_settle_the_matter_close_it(text: str) -> None:
    assert closed_matter(text, GLAD)


@pytest.mark.parametrize(
    "text",
    [
        "my account was hacked and it's still not sorted",
        "it's not fixed",
        "hope it's fixed soon",
        "we'll tweet when it's resolved",
        "I can't log in on my laptop. The mobile app is working fine.",
    ],
)
def test_a_matter_not_settled_yet_stays_open(text: str) -> None:
    assert not closed_matter(text, GLAD)


def test_angry_words_never_close_a_matter() -> None:
    assert not closed_matter("oh it's fixed alright, fixed to never work again", CROSS)


def test_a_settled_hack_scores_as_thanks_and_an_open_one_as_a_stake(text_model: TextModel) -> None:
    texts = [
        "Live chat was very helpful. Hacking issue solved in less than 20 mins. Congrats!",
        "my account was hacked last night and someone changed my password",
    ]
    settled, open_ = assess(texts, text_model.predict(texts), text_model, StakesSettings())
    assert settled.stakes == {} and "account_compromise" in open_.stakes
    weights = UrgencySettings()
    scores = [
        compute_urgency(
            p,
            seen.signals,
            PostContext(),
            weights,
            stakes=seen.stakes,
            topic_scores=seen.topic_scores,
        ).score
        for p, seen in zip(text_model.predict(texts), (settled, open_), strict=True)
    ]
    assert scores[0] < 20 < 50 < scores[1]
