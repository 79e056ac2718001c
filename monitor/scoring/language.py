"""Which language a post is written in (ISO 639-1 code), with lingua.

lingua is accurate on short texts and ships its models in the wheel (no download). It is
restricted to the languages brand-support teams meet most, which keeps it fast and avoids
exotic guesses on two-word tweets. Handles, links, hashtags and agent signatures are removed
first: `@AmazonHelp` is not English and `#ColchonMorfeo` is not Spanish.

Tweets are short, so a Latin-script post is only called non-English when lingua is fairly
sure and there are at least three words to go on; otherwise it stays English, the language
the brand's handle is addressed in (`DEFAULT`). Posts with no letters at all are `und`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

DEFAULT = "en"
UNDETERMINED = "und"
SUPPORTED = frozenset({"en"})  # languages the scoring model was trained on
LANGUAGES = (
    "ENGLISH",
    "SPANISH",
    "FRENCH",
    "GERMAN",
    "PORTUGUESE",
    "ITALIAN",
    "DUTCH",
    "POLISH",
    "TURKISH",
    "INDONESIAN",
    "RUSSIAN",
    "ARABIC",
    "HINDI",
    "JAPANESE",
    "CHINESE",
    "KOREAN",
)
NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "tr": "Turkish",
    "id": "Indonesian",
    "ru": "Russian",
    "ar": "Arabic",
    "hi": "Hindi",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
    "und": "undetermined",
}
MIN_CONFIDENCE = 0.6
MIN_WORDS = 3

_NOISE = re.compile(r"@\w+|https?://\S+|www\.\S+|#\w+|\^\w+|\*\w+|&\w+;")
_WORD = re.compile(r"[^\W\d_]+")
_detector: Any = None
_lock = threading.Lock()


def _get_detector() -> Any:
    global _detector
    with _lock:
        if _detector is None:
            from lingua import Language, LanguageDetectorBuilder

            languages = [getattr(Language, name) for name in LANGUAGES]
            _detector = LanguageDetectorBuilder.from_languages(*languages).build()
        return _detector


def _latin(words: Sequence[str]) -> bool:
    return all(ch.isascii() or "\u00c0" <= ch <= "\u024f" for word in words for ch in word)


def detect_languages(texts: Sequence[str]) -> list[str]:
    """ISO 639-1 code per text (`und` when a text has no letters)."""
    cleaned = [_NOISE.sub(" ", text or "") for text in texts]
    words = [_WORD.findall(text) for text in cleaned]
    todo = [i for i, w in enumerate(words) if w]
    result = [UNDETERMINED] * len(texts)
    if not todo:
        return result
    detector = _get_detector()
    confidences = detector.compute_language_confidence_values_in_parallel(
        [cleaned[i] for i in todo]
    )
    for i, values in zip(todo, confidences, strict=True):
        if not values:
            result[i] = DEFAULT
            continue
        top = values[0]
        unsure = _latin(words[i]) and (len(words[i]) < MIN_WORDS or top.value < MIN_CONFIDENCE)
        if unsure or top.language.name == "ENGLISH":
            result[i] = DEFAULT
        else:
            result[i] = top.language.iso_code_639_1.name.lower()
    return result


def detect_language(text: str) -> str:
    return detect_languages([text])[0]


def language_name(code: str) -> str:
    return NAMES.get(code, code)
