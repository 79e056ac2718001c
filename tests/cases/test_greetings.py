"""Reply templates mention an author only by a valid handle, never by text from outside."""

from __future__ import annotations

import pytest
from casework import shipped_templates

from monitor.cases.greetings import fill, first_name, greeting

TEMPLATES = shipped_templates()


def fill_template(name: str, *, handle: str, customer_name: str | None, platform: str = "x") -> str:
    """What the composer fills (monitor.cases.templates.fill_template), for a shipped text."""
    return fill(TEMPLATES[name], greeting(platform, handle), customer_name)


HOSTILE_HANDLES = [
    "[Click to verify](https://evil.example/login)",
    "![](https://evil.example/track.png)",
    "dana https://evil.example",
    "abc\u202egnp",
    "ad\u200bmin",
    "sixteen_chars_xx",  # one too many for X
    "dana.reyes",  # a dot is not allowed on X
    "",
]


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_valid_x_handle_is_mentioned_as_plain_text(name: str) -> None:
    text = fill_template(name, handle="Dana_R3", customer_name=None, platform="x")
    assert "{" not in text and "}" not in text
    if "{handle}" in TEMPLATES[name] or "{name}" in TEMPLATES[name]:
        assert "@Dana_R3" in text


@pytest.mark.parametrize("handle", HOSTILE_HANDLES)
@pytest.mark.parametrize("name", list(TEMPLATES))
def test_invalid_handle_is_left_out(name: str, handle: str) -> None:
    text = fill_template(name, handle=handle, customer_name=None, platform="x")
    assert "@" not in text.replace("@{", "")  # no mention at all
    assert "evil" not in text and "\u202e" not in text and "\u200b" not in text
    assert ", ." not in text and " ," not in text and not text[0].islower()
    assert greeting("x", handle).warning is not None


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_facebook_gets_a_neutral_greeting_without_warning(name: str) -> None:
    text = fill_template(
        name, handle="Dana [Reyes](https://evil.example)", customer_name=None, platform="facebook"
    )
    assert "@" not in text and "evil" not in text and "Reyes" not in text
    assert not text[0].islower() and ", ." not in text
    assert greeting("facebook", "Dana Reyes").warning is None


def test_known_examples() -> None:
    assert fill_template(
        "Looking into it", handle="x", customer_name=None, platform="facebook"
    ) == (
        "Thanks for your patience. We're checking this with the right team now and "
        "will update you here shortly."
    )
    assert fill_template(
        "Refund issued", handle="bad handle", customer_name="Dana Reyes"
    ).startswith("Hi Dana, we've issued")
    assert fill_template("Refund issued", handle="dana", customer_name=None).startswith("Hi @dana,")
    assert fill_template("Refund issued", handle="bad handle!", customer_name=None).startswith(
        "Hi there,"
    )


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Dana Reyes", "Dana"),
        ("José-María O'Neill", "José-María"),
        ("[Dana](https://evil.example)", None),
        ("www.evil.example", None),
        ("Da\u200bna", None),
        ("", None),
    ],
)
def test_first_name_only_when_it_is_a_name(name: str, first: str | None) -> None:
    assert first_name(name) == first


def test_demo_follows_x_and_unknown_platforms_are_left_out() -> None:
    assert greeting("demo", "dana_r").mention == "@dana_r"
    unknown = greeting("mastodon", "dana")
    assert unknown.mention is None and unknown.warning is not None
