"""Common misspellings of the words the keyword floors look for, read as the word itself.

Customers type fast on phones: "where is my ordr", "trackng hasnt moved", "someone got into
my acount". The encoder copes with most of that; the keyword floors (stakes and topics) would
not. Before the floors run, a word that is not a known English word and is one typing slip
away from one of `KEY_WORDS` is read as that word.

Only slips people actually make count, so that real words stay themselves:

* one letter left out, not the first or the last ("ordr", "adress", "pasword");
* two neighbouring letters swapped ("recieved", "parcle");
* a letter typed twice ("stollen", "reffund");
* one vowel for another, in words of seven letters or more ("delivary", "recognice").

A word is known when it is a whole word of the encoder's vocabulary (30k WordPiece entries
of all-MiniLM-L6-v2): "older" is not read as "order", and "charger" (not in that vocabulary,
but a consonant away from "charged") is not a slip by these rules either.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

# The words of the stakes' and topics' keyword floors that are long enough to tell a slip from
# another word (five letters or more).
KEY_WORDS = (
    "account address arrive arrived attorney authorised authorized birthday blocked cancel "
    "cancelled cancelling charge charged charges chargeback compromised courier damaged "
    "deliver delivered delivery dispatched disabled disability elderly emergency formula "
    "fraud fraudulent funeral hacked hacker immediately injured insulin lawsuit lawyer locked "
    "medication medicine membership missing never newborn nappies ombudsman order ordered "
    "orders package packages parcel parcels password pharmacy phishing prescription receive "
    "received recognise recognize refund refunded return returned scammed shipped shipping "
    "solicitor someone stolen subscription suspended tomorrow tonight tracking unauthorised "
    "unauthorized urgent urgently verification wedding wheelchair"
).split()
_VOWELS = "aeiou"
# A vowel for another only in long words: in short ones it makes other words ("hecked up").
_VOWEL_SLIP_LENGTH = 7
_WORD = re.compile(r"[A-Za-z]{4,}")


def _slips(word: str) -> set[str]:
    """Every misspelling of `word` by one of the slips in the module docstring."""
    # Not the first or the last letter: "solicito" is Spanish, not a slip of "solicitor".
    found = {word[:i] + word[i + 1 :] for i in range(1, len(word) - 1)}
    found |= {
        word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        for i in range(len(word) - 1)
        if word[i] != word[i + 1]
    }
    found |= {word[:i] + word[i] + word[i:] for i in range(len(word))}
    if len(word) >= _VOWEL_SLIP_LENGTH:
        found |= {
            word[:i] + vowel + word[i + 1 :]
            for i, letter in enumerate(word)
            if letter in _VOWELS
            for vowel in _VOWELS
            if vowel != letter
        }
    found.discard(word)
    return found


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Whole words of the encoder's vocabulary; empty if the encoder is not installed (then
    no word is corrected rather than a real word misread)."""
    from monitor.scoring.encoder_model import base_model_path
    from monitor.scoring.model import ModelUnavailableError

    try:
        vocab = json.loads((base_model_path() / "tokenizer.json").read_text(encoding="utf-8"))
    except (ModelUnavailableError, OSError, ValueError):
        return frozenset()
    return frozenset(w for w in vocab["model"]["vocab"] if w.isalpha())


@lru_cache(maxsize=1)
def _corrections() -> dict[str, str]:
    """Misspelling -> key word, leaving out anything that is itself a known word."""
    known = _known_words()
    if not known:
        return {}
    table: dict[str, str] = {}
    keys = set(KEY_WORDS)
    for word in KEY_WORDS:
        for slip in _slips(word):
            if slip not in known and slip not in keys:
                table.setdefault(slip, word)  # a slip of two key words: the first one listed
    return table


def correct_typos(text: str) -> str:
    """The text with each misspelt key word (see the module docstring) read as the word."""
    table = _corrections()
    if not table or table.keys().isdisjoint(_WORD.findall(text.lower())):
        return text  # the usual case, checked without a Python call per word
    return _WORD.sub(lambda m: table.get(m.group().lower(), m.group()), text)
