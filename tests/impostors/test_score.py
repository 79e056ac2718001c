"""The impostor score: look-alike names, lures, the brand's own contact points, explanations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from monitor.config import BrandSettings, ImpostorSettings
from monitor.impostors.lures import deobfuscate, phone_numbers, read_lures
from monitor.impostors.names import edit_distance, mixed_script, skeleton
from monitor.impostors.score import BrandProfile, ReplyFacts, score_reply

BRAND = BrandProfile.from_settings(
    BrandSettings(
        name="ShopNow",
        aliases=("ShopNow Plus",),
        accounts=("ShopNowHelp", "ShopNow"),
        domains=("shopnow.com",),
        phones=("1-888-555-0142",),
        emails=("help@shopnow.com",),
    )
)
SETTINGS = ImpostorSettings()
T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


def score(handle: str, text: str, **facts: object):  # type: ignore[no-untyped-def]
    return score_reply(ReplyFacts(handle, text, **facts), BRAND, SETTINGS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "handle",
    [
        "ShopNowHe1p",  # digit one for l
        "ShopNowHeIp",  # capital i for l
        "ShopN0wHelp",  # zero for o
        "ShopNowHelp_",  # a separator added
        "ShopNоwHelp",  # Cyrillic о
        "ShopNowHlep",  # two letters swapped
        "ＳｈｏｐＮｏｗＨｅｌｐ",  # fullwidth letters (NFKC)
        "ShopNowHeIp_",
    ],
)
def test_look_alikes_of_an_official_handle(handle: str) -> None:
    result = score(handle, "@dana we're sorry, please DM us")
    assert "lookalike_name" in result.factors
    assert result.lures[0] == "look-alike name"


def test_the_official_accounts_score_zero_whatever_they_write() -> None:
    for handle in ("ShopNowHelp", "@shopnowhelp", "SHOPNOW"):
        result = score(handle, "Call us at +1-202-555-0199 or WhatsApp us, send your password")
        assert result.official and result.score == 0 and not result.flagged


def test_brand_name_plus_support_word_and_a_phone_number_is_flagged() -> None:
    result = score("ShopNow_Refunds_Desk", "Call us now at +1 (833) 291-6640 for your refund")
    assert result.factors["brand_support_name"] == SETTINGS.weights.brand_support_name
    assert result.factors["phone"] == SETTINGS.weights.phone
    assert result.flagged
    assert result.explanation.startswith("possible impostor (")


def test_factors_add_up_to_the_score_even_when_capped() -> None:
    result = score(
        "ShopNowHe1p",
        "We're ShopNow support. Call +1 888 402 7719 or WhatsApp wa.me/13025550199, send your "
        "card number and CVV, password too, and buy a gift card to release the refund: "
        "shopnow-refunds.net",
        display_name="ShopNow Help",
    )
    assert result.score == 100
    assert sum(result.factors.values()) == pytest.approx(100, abs=0.5)


def test_the_brands_own_number_domain_and_email_are_not_lures() -> None:
    result = score(
        "ShopNowCareTeam",
        "Please call 1 888 555 0142, see https://help.shopnow.com/returns or mail help@shopnow.com",
    )
    assert not {"phone", "foreign_link", "free_email"} & set(result.factors)
    assert not result.flagged


def test_x_link_wrapper_is_ignored_but_its_expanded_target_counts() -> None:
    plain = score("ShopNowAssist", "More here https://t.co/abc123")
    assert "foreign_link" not in plain.factors
    expanded = score(
        "ShopNowAssist", "More here https://t.co/abc123", urls=("https://shopnow-verify.net/x",)
    )
    assert {"foreign_link", "lookalike_link"} <= set(expanded.factors)


def test_a_stranger_unrelated_to_the_brand_gets_half_the_lure_points() -> None:
    result = score("pat_k", "@dana same, I called 1-800-222-3333 and it worked")
    assert result.factors["unrelated"] == -result.factors["phone"] / 2
    assert not result.flagged


def test_another_customer_chiming_in_is_not_flagged() -> None:
    for text in (
        "@dana same thing happened to me, ShopNow fixed it after a DM",
        "@ShopNowHelp my password was changed and someone used my card, help!",
        "@dana I sent them my order number and they refunded me",
    ):
        assert not score("dana_reads", text).flagged, text


def test_account_age_followers_and_verification() -> None:
    young = score(
        "ShopNowCare", "DM us", account_created_at=T0 - timedelta(days=3), posted_at=T0,
        followers=4,
    )  # fmt: skip
    assert young.factors["new_account"] == SETTINGS.weights.new_account
    assert young.factors["few_followers"] == SETTINGS.weights.few_followers
    old = score("ShopNowCare", "DM us", account_created_at=T0 - timedelta(days=900), posted_at=T0)
    assert "new_account" not in old.factors
    assert score("ShopNowCare", "DM us", verified=True).factors["verified"] < 0


@pytest.mark.parametrize(
    ("text", "lure"),
    [
        ("text us on W h a t s A p p +1 302 555 0166", "messaging"),
        ("find us on telegram: t.me/shopnowdesk", "messaging"),
        ("reply with the 6 digit code you received", "credentials"),
        ("You got a verification code from us. Please reply with it.", "credentials"),
        ("kindly send the card number, expiry and CVV by DM", "card"),
        ("DM your date of birth and the last 4 of your SSN", "personal_data"),
        ("install AnyDesk and send us the code", "remote_access"),
        ("buy a $100 gift card and send us the claim code", "gift_card"),
    ],
)
def test_lures(text: str, lure: str) -> None:
    assert getattr(read_lures(text), lure)


def test_disguised_phone_numbers_are_read() -> None:
    assert phone_numbers(
        deobfuscate("call one eight eight eight five five two nine one zero three")
    )
    assert phone_numbers(deobfuscate("call +1 (888) 4O2-6618 now")) == ["18884026618"]
    assert phone_numbers(deobfuscate("call 1⃣8⃣8⃣8⃣-2⃣9⃣0⃣-4⃣4⃣1⃣2⃣")) == ["18882904412"]
    # Order numbers, prices and tweet ids are not phone numbers.
    assert phone_numbers("order 112-4455667-1234567 cost $1,299.00 id 1450000000000000001") == []


def test_names_helpers() -> None:
    assert skeleton("ShopNowHe1p") == skeleton("shopnowhelp") == skeleton("ShopNowHeIp")
    assert skeleton("rnicrosoft") == skeleton("microsoft")
    assert mixed_script("ShopNоw") and not mixed_script("Shöpnow")
    assert edit_distance("shopnowhelp", "shopnowhlep") == 1
    assert edit_distance("abc", "xyzuvw", limit=2) == 3


def test_brand_settings_reject_a_url_as_domain() -> None:
    with pytest.raises(ValidationError, match=r"not a domain like shopnow\.com"):
        BrandSettings(name="ShopNow", domains=("https://shopnow.com/",))
    with pytest.raises(ValidationError, match="only the slots"):
        ImpostorSettings(warning_template="@{handle} {customer} beware of impostors here")
