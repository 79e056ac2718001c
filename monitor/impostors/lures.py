"""What an impostor's reply asks the customer to do: pure text checks, no I/O.

Text is de-obfuscated first (fullwidth and keycap digits, `W h a t s A p p`, phone numbers
spelled in words or with the letter O for zero), because scammers write that way exactly to
slip past filters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ASK = (
    r"(?:send|dm|share|provide|give|tell|confirm|reply\s+with|respond\s+with|type|enter|"
    r"verify|update|email|e-mail|text|forward|need|require|submit|drop|leave|include|"
    r"what\s+is|what's)"
)
_WITHIN = r"\b[^.!?\n]{0,60}?\b"


def _asking(nouns: str) -> re.Pattern[str]:
    return re.compile(_ASK + _WITHIN + r"(?:" + nouns + r")\b", re.IGNORECASE)


CREDENTIALS = _asking(
    r"password|passcode|pass\s*word|pin|otp|one[-\s]?time\s+(?:code|password|pin)|"
    r"verification\s+code|security\s+code|login\s+(?:details|code|credentials)|"
    r"sign[-\s]?in\s+(?:id|details|code)|\d\s*digit\s+code|code\s+(?:we|you)\s+(?:just\s+)?"
    r"(?:sent|texted|received)|username\s+and\s+password|apple\s+id\s+and"
)
# "You should have received a verification code. Please reply with it": the code comes first.
CODE_THEN_ASK = re.compile(
    r"\b(?:verification|security|one[-\s]?time|login|sign[-\s]?in)\s+code\b[^!?\n]{0,80}?"
    r"\b(?:reply|send|share|tell|dm|forward)\b",
    re.IGNORECASE,
)
CARD = _asking(
    r"card\s+(?:number|details|info\w*)|(?:credit|debit)\s+card|cvv|cvc|expiry|"
    r"expiration\s+date|\d\s*digits?\s+(?:at|on)\s+the\s+back|\d+\s+digits\s+of\s+the\s+card|"
    r"card\s+you\s+(?:used|paid)|security\s+digits"
)
PERSONAL = _asking(
    r"date\s+of\s+birth|dob|ssn|social\s+security|passport|bank\s+(?:details|account|name)|"
    r"account\s+number|routing\s+number|sort\s+code|full\s+name|home\s+address|"
    r"billing\s+address|(?:registered\s+)?phone\s+number|mobile\s+number|"
    r"e-?mail\s+(?:address|on\s+(?:your|the)\s+account)|paypal\s+(?:email|login)|clubcard\s+number|account\s+pin"
)
REMOTE = re.compile(
    r"\b(?:any\s?desk|team\s?viewer|quick\s?support|ultra\s?viewer|remote\s+(?:access|desktop)|"
    r"screen\s+shar\w*)\b",
    re.IGNORECASE,
)
GIFT_CARD = re.compile(
    r"\b(?:gift\s*cards?|itunes\s+cards?|google\s+play\s+cards?|psn\s+cards?|steam\s+cards?)\b"
    r"[^.!?\n]{0,60}\b(?:code|claim|send|purchase|buy|verification)|"
    r"\b(?:buy|purchase|send)\b[^.!?\n]{0,40}\b(?:gift\s*cards?|psn\s+cards?|itunes\s+cards?)",
    re.IGNORECASE,
)
MESSAGING = re.compile(
    r"\b(?:whats\s?app|telegram|viber|wechat|discord|signal\s+app)\b|\bwa\.me/|\bt\.me/",
    re.IGNORECASE,
)
DM_LURE = re.compile(
    r"\b(?:dm|message|contact|reach|call|ring|text|email|e-mail|dial)\s+(?:us|me|our)\b|"
    r"\b(?:send|drop|shoot)\s+(?:us|me)\s+(?:a\s+)?(?:dm|direct\s+message|message|line)\b|"
    r"\b(?:reach\s+out|get\s+in\s+touch)\b|\bcontact\s+(?:us\s+)?(?:at|on|via)\b|"
    r"\blink\s+in\s+(?:bio|profile)\b",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+|"
    r"\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|info|xyz|co|io|me|ly|us|uk|site|"
    r"online|top|app|link|help|support|shop|store|live|vip|click|biz|cc|to)(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\b")
_PHONE = re.compile(r"(?<![\w@/#$£€])\+?\(?\d[\d\s().\-/]{5,}\d(?![\w/])")
_ORDER_ID = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")
_NUMBER_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_SPELLED = re.compile(r"\b(?:(?:" + "|".join(_NUMBER_WORDS) + r")[\s,.\-]*){7,}", re.IGNORECASE)
_SPACED_LETTERS = re.compile(r"\b(?:[A-Za-z][\s.\-]){3,}[A-Za-z]\b")
_O_IN_DIGITS = re.compile(r"(?<=\d)[Oo](?=[\dOo]*\d)|(?<=\d)[Oo](?=-)")
SHORTENERS = frozenset(
    {"bit.ly", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "cutt.ly", "rebrand.ly", "shorturl.at"}
)
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
PLATFORM_WRAPPERS = frozenset({"t.co"})  # X wraps every link; the expanded URL is what counts


def deobfuscate(text: str) -> str:
    """Undo the usual disguises so the checks read what the customer reads."""
    plain = unicodedata.normalize("NFKC", text)
    # Marks (keycap 1⃣ is "1" + an enclosing mark) and invisible format characters go.
    plain = "".join(c for c in plain if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    plain = _SPACED_LETTERS.sub(lambda m: re.sub(r"[\s.\-]", "", m.group(0)), plain)
    plain = _SPELLED.sub(
        lambda m: (
            "".join(_NUMBER_WORDS[w.lower()] for w in re.findall(r"[a-zA-Z]+", m.group(0))) + " "
        ),
        plain,
    )
    return _O_IN_DIGITS.sub("0", plain)


def phone_numbers(text: str) -> list[str]:
    """Digits of each phone-like number (10 to 15 digits, or 11 starting with 0)."""
    found = []
    for match in _PHONE.finditer(_ORDER_ID.sub(" ", text)):
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        grouped = bool(re.search(r"[\s().\-]", raw.strip())) or raw.startswith("+")
        if 10 <= len(digits) <= 15 and (grouped or len(digits) <= 11):
            found.append(digits)
    return found


def same_phone(a: str, b: str) -> bool:
    """Compare national numbers: a leading country code (+1, 44) may be present or not."""
    tail = min(len(a), len(b), 10)
    return tail >= 7 and a[-tail:] == b[-tail:]


def domains(text: str, extra_urls: tuple[str, ...] = ()) -> list[str]:
    """Domains of the links in the text and of the platform's expanded URLs (no t.co)."""
    found = []
    for url in [*_URL.findall(text), *extra_urls]:
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower()).split("/")[0].split("?")[0]
        host = host.split(":")[0].rstrip(".")
        if "." in host and host not in PLATFORM_WRAPPERS and "@" not in host:
            found.append(host)
    return found


def email_domains(text: str) -> list[str]:
    return [domain.lower() for domain in _EMAIL.findall(text)]


@dataclass(frozen=True)
class TextLures:
    phones: tuple[str, ...]
    messaging: bool
    dm_lure: bool
    domains: tuple[str, ...]
    email_domains: tuple[str, ...]
    credentials: bool
    card: bool
    personal_data: bool
    remote_access: bool
    gift_card: bool


def read_lures(text: str, urls: tuple[str, ...] = ()) -> TextLures:
    plain = deobfuscate(text)
    emails = email_domains(plain)
    without_emails = _EMAIL.sub(" ", plain)
    return TextLures(
        phones=tuple(phone_numbers(plain)),
        messaging=bool(MESSAGING.search(plain)),
        dm_lure=bool(DM_LURE.search(plain)),
        domains=tuple(domains(without_emails, urls)),
        email_domains=tuple(emails),
        credentials=bool(CREDENTIALS.search(plain) or CODE_THEN_ASK.search(plain)),
        card=bool(CARD.search(plain)),
        personal_data=bool(PERSONAL.search(plain)),
        remote_access=bool(REMOTE.search(plain)),
        gift_card=bool(GIFT_CARD.search(plain)),
    )
