"""Text normalisation shared by training and inference.

Every code path that feeds text to the fine-tuned encoder (training, evaluation, the
`MultiTaskEncoder` runtime, the benchmark) must call `normalise_for_model`, so the model
sees at inference exactly the kind of text it was trained on. The convention follows
TweetEval: user mentions become ``@user`` and links become ``http``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import lru_cache

from monitor.scoring.typos import correct_typos

_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_WHITESPACE = re.compile(r"\s+")
_KEY_DROP = re.compile(r"[^a-z0-9]")
_CURLY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def straight_quotes(text: str) -> str:
    """Phones type "can’t" with a curly apostrophe; keyword patterns spell it "can't"."""
    return text.translate(_CURLY)


def international_patterns(words: Mapping[str, tuple[str, str]]) -> dict[str, re.Pattern[str]]:
    """One pattern per key from (Latin-script words, Japanese words): Latin-script words match
    whole, Japanese ones anywhere (Japanese has no spaces between words)."""
    return {
        key: re.compile(rf"\b(?:{latin})\b|{japanese}", re.IGNORECASE)
        for key, (latin, japanese) in words.items()
    }


class KeywordFloors:
    """Keyword tables (key -> pattern: English, then the international ones) and the keys
    whose pattern a text matches, read as `keyword_text` reads it. `skip` drops phrases that
    look like a match but are not one ("I'll do it asap") before the tables are read.

    The patterns are written in lower case and compiled case-insensitive, so they can be used
    on any text; here they are matched against the lowercased text without that flag, which
    Python's `re` runs three times as fast (the floors are otherwise a tenth of `monitor
    score`)."""

    def __init__(
        self, *tables: Mapping[str, re.Pattern[str]], skip: re.Pattern[str] | None = None
    ) -> None:
        self._tables = [
            {key: re.compile(rule.pattern, rule.flags & ~re.IGNORECASE) for key, rule in t.items()}
            for t in tables
        ]
        self._skip = skip

    def match(self, text: str) -> list[str]:
        plain = keyword_text(self._skip.sub(" ", text) if self._skip else text)
        found: list[str] = []
        for table in self._tables:
            found += [key for key, rule in table.items() if key not in found and rule.search(plain)]
        return found


@lru_cache(maxsize=4096)
def keyword_text(text: str) -> str:
    """The text as the keyword floors read it: lower case, curly quotes straight, common
    misspellings of the words they look for read as the words (`typos`). Cached: the stakes'
    and the topics' floors read the same post one after the other."""
    return correct_typos(straight_quotes(text).lower())


def _decode_escapes(text: str) -> str:
    # Some SemEval files store non-ASCII characters as literal "\u2019" escapes.
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def normalise_for_model(text: str) -> str:
    """Normalise a raw post for the encoder: decode ``\\uXXXX`` escapes and HTML entities,
    replace mentions with ``@user`` and links with ``http``, collapse whitespace."""
    if not text:
        return ""
    text = _decode_escapes(str(text))
    text = html.unescape(text)
    text = _URL.sub("http", text)
    text = _MENTION.sub("@user", text)
    return _WHITESPACE.sub(" ", text).strip()


def match_key(text: str) -> str:
    """Loose matching key used to find near-duplicate tweets across data sets.

    Decode ``\\uXXXX``, unescape HTML, drop mentions and ``http`` tokens, lowercase and keep
    only ``[a-z0-9]`` (the "key" normalisation of the SemEval OVERLAP.md note)."""
    text = html.unescape(_decode_escapes(str(text or "")))
    tokens = [t for t in text.split() if not t.startswith("@") and not t.lower().startswith("http")]
    return _KEY_DROP.sub("", " ".join(tokens).lower())
