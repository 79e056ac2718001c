"""Look-alike names: Unicode folding, a confusables skeleton and edit distance.

Impostors register `AmazonHe1p`, `AmazonHeIp` (capital i), `Αmazon` (Greek alpha) or
`AmazonHelp_`. Comparing *skeletons* catches all of them: fold with NFKC and casefold, map
each character that looks like another (Unicode TR 39 confusables, the common subset) to one
prototype, and drop separators. Two names with the same skeleton look the same to a reader.
"""

from __future__ import annotations

import re
import unicodedata

# Look-alike characters -> prototype. Cyrillic and Greek letters that render like Latin ones,
# digits and symbols used as letters. `i`, `l`, `1`, `|` all become "l" because in many fonts
# (and in capitals: I vs l) they cannot be told apart.
_CONFUSABLE = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "l",
        "ї": "l", "ј": "j", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q",
        "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԝ": "w", "ь": "b", "г": "r", "п": "n",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "μ": "u", "ω": "w", "γ": "y",
        # Latin look-alikes and digits used as letters
        "0": "o", "1": "l", "i": "l", "|": "l", "ı": "l", "!": "l", "3": "e", "4": "a",
        "5": "s", "7": "t", "8": "b", "9": "g", "$": "s", "@": "a", "€": "e",
        "ä": "a", "à": "a", "á": "a", "â": "a", "ã": "a", "å": "a", "ö": "o", "ò": "o",
        "ó": "o", "ô": "o", "õ": "o", "ø": "o", "ü": "u", "ù": "u", "ú": "u", "û": "u",
        "ë": "e", "è": "e", "é": "e", "ê": "e", "ï": "l", "ì": "l", "í": "l", "î": "l",
        "ñ": "n", "ç": "c", "ÿ": "y", "ý": "y",
    }
)  # fmt: skip
_MULTI = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_SEPARATORS = re.compile(r"[\s_.\-·•'’]+")


def fold(text: str) -> str:
    """NFKC (fullwidth, ligatures, mathematical letters -> plain) and casefold."""
    return unicodedata.normalize("NFKC", text).casefold()


def skeleton(name: str) -> str:
    """The shape of a name: what a reader sees, whatever code points spell it."""
    folded = _SEPARATORS.sub("", fold(name).lstrip("@"))
    # Combining marks (a + U+0308) are dropped so decorated letters read as plain ones.
    decomposed = unicodedata.normalize("NFKD", folded.translate(_CONFUSABLE))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    for many, one in _MULTI:
        plain = plain.replace(many, one)
    return plain


def mixed_script(name: str) -> bool:
    """Latin letters mixed with Cyrillic or Greek ones: almost never an honest name."""
    scripts = set()
    for char in unicodedata.normalize("NFKC", name):
        if char.isalpha():
            script = unicodedata.name(char, "").split(" ")[0]
            scripts.add(script)
    return "LATIN" in scripts and bool(scripts & {"CYRILLIC", "GREEK"})


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (adjacent swaps count once), giving up above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
