"""The reply safety check: what scammers ask for is blocked however it is spelled, and what
the brand legitimately says (its templates, its own contacts and sites) passes."""

from __future__ import annotations

import pytest
from casework import shipped_templates

from monitor.cases.greetings import fill, greeting
from monitor.cases.reply_check import (
    BrandContacts,
    ReplyIssue,
    brand_contacts,
    check_reply,
    normalise,
)
from monitor.settings import load_settings

BRAND = BrandContacts(
    domains=("shopnow.example",),
    link_domains=("carrier.example",),
    phones=("+1 800 555 0100",),
    emails=("help@shopnow.example",),
)


def blocking(text: str, channel: str = "dm") -> list[ReplyIssue]:
    return [i for i in check_reply(text, channel, BRAND) if i.blocking]  # type: ignore[arg-type]


# Every rogue phrasing from the report, in full sentences and bare.
ISSUE_PHRASINGS = [
    "send the 6-digit code we just texted you",
    "Hi! Please send the 6-digit code we just texted you so we can verify the account.",
    "reply with the code from the SMS",
    "To finish, reply with the code from the SMS we sent.",
    "Please DM us your login credentials",
    "Please DM us your pass\u200bword so we can check",
    "What's your passw0rd? We need it to check the order.",
    "Could you share your p@ssword in a DM?",
    "the 16 digits on your card",
    "Please send us the 16 digits on your card.",
    "the number on the front and the 3 digits on the back",
    "DM us the number on the front and the 3 digits on the back",
    "We charged 4111.1111.1111.1111 twice",
    "We charged 4111\u20091111\u20091111\u20091111 twice",  # thin spaces
    "We charged 4111\u202f1111\u202f1111\u202f1111 twice",  # narrow no-break spaces
    "We charged 4111-1111-1111-1111 twice",
    "We charged 4111111111111111 twice",
    "Please sign in at https://shopnow-login.com/verify to unlock your refund",
    "Verify your account here: http://shopnow.example.account-check.io",
    "Sign in here: shopn\u043ew.example/login",  # Cyrillic o: a homograph of our own domain
    "Sign in here: https://shop\u200bnow.example/login",  # zero-width inside our domain
    "Restore access at https://xn--shpnow-9ua.example/",
]

# Paraphrases written after the rules above, never used to tune them.
HELD_OUT = [
    "Kindly forward us the verification code that just arrived on your mobile.",
    "Reply here with the digits we messaged to you a minute ago",
    "For security, we'll need your username & password to look into this.",
    "Could you provide your card's expiry date and CVV?",
    "Please DM your full card number so we can process the refund",
    "Pls send ur pa$$w0rd",
    "What is the security code on the reverse of your card?",
    "Your payment card 5500 0000 0000 0004 has been flagged",
    "Log in at http://shopnow.example.secure-login.top to restore your account",
    "Please enter your online banking PIN in the chat",
]

# Tricks that try to hide a request behind the brand's usual warning.
EVASIONS = [
    "Don't worry, just DM us the long number on your card",
    "We never ask for passwords by e-mail, but please send your password here",
    "Type your P A S S W O R D here",
    "Please share your us\u0435rname and p\u0430ssword in a DM",  # Cyrillic e and a
    "Please send your \uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44 by DM",  # fullwidth
    "Send your pass\u00adword (soft hyphen) please",
    "Send your pass\u202eword please",  # right-to-left override
]


@pytest.mark.parametrize("text", ISSUE_PHRASINGS + HELD_OUT + EVASIONS)
@pytest.mark.parametrize("channel", ["dm", "public"])
def test_requests_for_secrets_are_blocked(text: str, channel: str) -> None:
    assert blocking(text, channel), text


@pytest.mark.parametrize("body", list(shipped_templates().values()))
@pytest.mark.parametrize("channel", ["dm", "public"])
@pytest.mark.parametrize("brand", [BRAND, BrandContacts()])
def test_shipped_templates_pass(body: str, channel: str, brand: BrandContacts) -> None:
    text = fill(body, greeting("x", "dana_r"), "Dana Reyes")
    assert check_reply(text, channel, brand) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "Call us on +1 800 555 0100 or write to help@shopnow.example",
        "Call us on (800) 555-0100.",
        "Write to returns@shopnow.example and we'll sort it out",
        "See https://shopnow.example/help/returns for the steps",
        "Track it at https://www.carrier.example/track and on https://help.shopnow.example",
        "We will never ask for your password. DM us!",
        "We'll never ask you to send your card number or a one-time code.",
        "Please confirm the last 4 digits of the card",
        "Please DM us your order number and the e-mail on the account.",
        "Could you send us the tracking number from the label?",
        "Thanks, it.Never mind the delay",  # a missing space is not a link
    ],
)
def test_brand_contacts_and_honest_replies_pass(text: str) -> None:
    assert check_reply(text, "public", BRAND) == []


def test_customer_contacts_still_warn_in_public() -> None:
    [issue] = check_reply("We'll call you on +44 20 7946 0958", "public", BRAND)
    assert not issue.blocking and "phone number" in issue.message
    [issue] = check_reply("We wrote to dana@mail.example", "public", BRAND)
    assert not issue.blocking and "e-mail address" in issue.message
    # Brand details without configuration are treated like anyone's.
    [issue] = check_reply("Call us on +1 800 555 0100", "public", BrandContacts())
    assert "phone number" in issue.message


def test_links_off_the_allow_list_are_flagged() -> None:
    [issue] = check_reply("Our partner: https://partner.example/offer", "dm", BRAND)
    assert not issue.blocking and "partner.example" in issue.message
    assert "shopnow.example" in issue.message  # says which domains are allowed
    # Without an allow-list every link is flagged, and sign-in lures are refused outright.
    [issue] = check_reply("See https://shopnow.example/help", "dm", BrandContacts())
    assert not issue.blocking and "none configured" in issue.message
    [issue] = check_reply("Sign in at https://example.org/login", "dm", BrandContacts())
    assert issue.blocking


def test_normalise_removes_invisible_and_look_alike_characters() -> None:
    assert normalise("ad\u200bmin \uff50\u0430ss") == "admin pass"
    assert normalise("a\u2009b\u00a0c") == "a b c"


def test_the_configured_brand_is_the_one_checked() -> None:
    brand = brand_contacts(load_settings())  # config/monitor.toml: [brand] and [replies]
    assert brand.domains and brand.phones and brand.emails
    text = f"Call {brand.phones[0]} or write to {brand.emails[0]}: https://{brand.domains[0]}/help"
    assert check_reply(text, "public", brand) == []
    assert check_reply(text, "public", BrandContacts())  # the same text from anyone else
