"""Misspelt key words are read as the words by the keyword floors; real words stay."""

from __future__ import annotations

import re

import pytest

from monitor.scoring.stakes import INTERNATIONAL_KEYWORDS, KEYWORDS, keyword_stakes
from monitor.scoring.topics import INTERNATIONAL_FLOORS, TOPIC_FLOORS
from monitor.scoring.typos import correct_typos


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("where is my ordr", "where is my order"),  # a letter left out
        ("trackng hasnt moved", "tracking hasnt moved"),
        ("someone got into my acount", "someone got into my account"),
        ("I recieved the wrong parcle", "I received the wrong parcel"),  # letters swapped
        ("it was stollen", "it was stolen"),  # a letter typed twice
        ("the delivary is late", "the delivery is late"),  # one vowel for another
        ("Pasword", "password"),
    ],
)
def test_slips_of_key_words_are_read_as_the_words(typed: str, read: str) -> None:
    assert correct_typos(typed).lower() == read.lower()


@pytest.mark.parametrize(
    "text",
    [
        "my older brother ordered it",  # "older" is a word, not a slip of "order"
        "the charger is broken",  # not in the vocabulary, but no slip of "charged"
        "ever since I moved",  # "ever" is a word, not "never" with a letter left out
        "one more thing",
        "Solicito recibos de septiembre",  # Spanish, not "solicitor" without its last letter
        "you got me hecked up",  # slang, not "hacked": short words keep their vowels
    ],
)
def test_real_words_stay_themselves(text: str) -> None:
    assert correct_typos(text) == text


def test_a_misspelt_stake_still_counts() -> None:
    assert "account_compromise" in keyword_stakes("my acount was hackd last nite")
    assert "essential_need" in keyword_stakes("the insolin hasnt come")


def test_keyword_patterns_are_written_in_lower_case() -> None:
    # The floors match lowercased text without IGNORECASE (text.KeywordFloors): a capital
    # letter in a pattern would never match.
    for table in (KEYWORDS, INTERNATIONAL_KEYWORDS, TOPIC_FLOORS, INTERNATIONAL_FLOORS):
        for key, rule in table.items():
            literal = re.sub(r"\\.", "", rule.pattern)  # escapes such as \s, \b, \w
            assert literal == literal.lower(), key


def test_capitals_and_curly_quotes_in_a_post_still_match() -> None:
    assert "account_compromise" in keyword_stakes("SOMEONE HACKED MY ACOUNT")
    assert "time_pressure" in keyword_stakes("I NEED IT TODAY, it\u2019s URGENT")
