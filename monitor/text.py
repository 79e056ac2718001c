"""Text from outside, made safe to show anywhere: bidi controls and invisible characters
become visible markers (`⟪U+202E⟫`), so a right-to-left override cannot reverse the words
after it and `ad\u200bmin` does not read "admin". Used by the dashboard's display helpers,
alert messages and stored upstream errors.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that are not in the Cf (format) category but still hide or fake text.
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
_ZWJ = "\u200d"
_VARIATION_SELECTOR_16 = "\ufe0f"
_NEWLINES = re.compile(r"\r\n|[\r\n\u2028\u2029\x85]")


def marker(char: str) -> str:
    return f"⟪U+{ord(char):04X}⟫"


def _emoji_part(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or char == _VARIATION_SELECTOR_16


def _hidden(text: str, index: int) -> bool:
    char = text[index]
    if char in "\n\t":
        return False
    if char == _ZWJ:  # joins emoji (👩‍💻); anywhere else it only hides a join
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        return not (before and after and _emoji_part(before) and _emoji_part(after))
    category = unicodedata.category(char)
    return category in ("Cf", "Cc", "Co") or char in _INVISIBLE_EXTRA


def visible(text: object) -> str:
    """`text` with bidi controls, zero-width and control characters shown as `⟪U+XXXX⟫`."""
    value = _NEWLINES.sub("\n", "" if text is None else str(text))
    if value.replace("\n", "").replace("\t", "").isprintable() and _INVISIBLE_EXTRA.isdisjoint(
        value
    ):
        return value  # the common case: nothing hidden (isprintable is False for Cc, Cf, Co)
    return "".join(marker(char) if _hidden(value, n) else char for n, char in enumerate(value))


def clip(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
