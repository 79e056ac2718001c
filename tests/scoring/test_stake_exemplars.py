"""Stakes found by wording (the real encoder against the exemplar phrases), not by keywords."""

from __future__ import annotations

from monitor.config import StakesSettings
from monitor.scoring.assess import assess
from monitor.scoring.model import TextModel
from monitor.scoring.stakes import keyword_stakes


def _stakes(model: TextModel, text: str, settings: StakesSettings) -> dict:
    (seen,) = assess([text], model.predict([text]), model, settings)
    return dict(seen.stakes)


def test_a_paraphrase_no_keyword_sees_is_found_by_its_wording(text_model: TextModel) -> None:
    text = "money left my account for a purchase that wasn't mine"
    assert keyword_stakes(text) == []
    found = _stakes(text_model, text, StakesSettings())
    assert found and all(hit.how == "similar" for hit in found.values())
    assert {"money_taken", "account_compromise"} & set(found)


def test_an_everyday_late_parcel_is_no_stake_however_close_to_an_exemplar(
    text_model: TextModel,
) -> None:
    text = "my package is 3 days late"
    assert _stakes(text_model, text, StakesSettings()) == {}
    # Without the everyday problems to compare with, it resembles "my insulin delivery is late".
    assert "essential_need" in _stakes(text_model, text, StakesSettings(ordinary=[]))


def test_the_customers_own_login_or_order_trouble_is_no_stake_by_wording(
    text_model: TextModel,
) -> None:
    # They resemble "I got a verification code I never requested" and "you took money out of
    # my account", but are everyday problems with the customer's own login, code and order.
    for text in (
        "I'm not getting the verification code to log in",
        "my promo code didn't apply at checkout",
        "can I get my money back for this, it broke after one use",
    ):
        assert _stakes(text_model, text, StakesSettings()) == {}, text


def test_a_teams_own_exemplar_finds_its_stake(text_model: TextModel) -> None:
    text = "my guide dog's food never arrived"
    assert "essential_need" not in _stakes(text_model, text, StakesSettings())
    own = StakesSettings(exemplars={"essential_need": ["the food for my guide dog has not come"]})
    assert _stakes(text_model, text, own)["essential_need"].how == "similar"
