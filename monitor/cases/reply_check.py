"""The safety check every outgoing reply passes before it can be queued.

Scammers pose as support and ask for passwords, one-time codes and card numbers, so our own
replies must never do that, even by accident or by a rogue agent, and a public reply must not
expose what belongs in a DM. The text is normalised first (Unicode NFKC, zero-width and other
invisible characters removed, look-alike letters and leetspeak mapped back), because the
words `pass\u200bword`, `passw0rd` or `p@ssword` read the same to a customer.

Negated requests ("we will never ask for your password") are how a brand warns customers, so
a request verb directly after "never"/"not" does not count as a request.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from monitor.scoring.signals import money_amounts, order_numbers
from monitor.vocab import ReplyChannel

if TYPE_CHECKING:
    from monitor.config import Settings

Channel = ReplyChannel
MAX_LENGTH = {ReplyChannel.PUBLIC: 280, ReplyChannel.DM: 10_000}


@dataclass(frozen=True)
class BrandContacts:
    """The brand's own published contact details, from `[brand]` (and `[replies]
    link_domains`) in the config: see `brand_contacts`.

    Links to `domains` and `link_domains` (and their subdomains) are allowed in replies; any
    other link is flagged. The brand's own phone numbers and e-mail addresses (and any address
    at one of `domains`) are not personal data, so a public reply may show them.
    """

    domains: tuple[str, ...] = ()  # the brand's own sites, e.g. ("shopnow.com",)
    link_domains: tuple[str, ...] = ()  # other sites replies may link to (a carrier's tracking)
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


def brand_contacts(settings: Settings) -> BrandContacts:
    def hosts(domains: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(d.strip().lower().removeprefix("www.").strip(".") for d in domains if d)

    brand = settings.brand
    return BrandContacts(
        domains=hosts(brand.domains),
        link_domains=hosts(settings.replies.link_domains),
        phones=brand.phones,
        emails=brand.emails,
    )


NO_BRAND = BrandContacts()


@dataclass(frozen=True)
class ReplyIssue:
    blocking: bool  # True: cannot be sent; False: a warning the agent must confirm
    message: str


# -- normalisation ---------------------------------------------------------------------------

# Letters from other scripts that look like Latin ones (the ones scam messages use most).
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԝ": "w", "ѵ": "v", "к": "k",
        "ο": "o", "α": "a", "ρ": "p", "ν": "v", "τ": "t", "κ": "k", "ι": "i", "υ": "u",
        "ε": "e", "ɡ": "g", "ı": "i", "\u2019": "'", "\u2018": "'", "\u02bc": "'",
    }
)  # fmt: skip
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)
_WORDLIKE = re.compile(r"[\w@$€]+")
_SPACED = re.compile(r"\b(?:[a-z0-9@$]\s){3,}[a-z0-9@$]\b")  # "p a s s w o r d"


def _invisible(char: str) -> bool:
    # Cf: zero-width spaces and joiners, bidi controls, soft hyphens, word joiners...
    return unicodedata.category(char) == "Cf"


def normalise(text: str) -> str:
    """NFKC, invisible characters removed, look-alike letters mapped to Latin, lower case,
    every kind of space made a plain space."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if not _invisible(char))
    text = text.lower().translate(_CONFUSABLES)
    return re.sub(r"[^\S\n]+", " ", text)


def _deleet(text: str) -> str:
    """Leetspeak mapped back to letters inside words that have letters (`passw0rd`), never in
    pure numbers, so digits keep meaning digits."""

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if not re.search(r"[a-z]", token) or (token.startswith("@") and len(token) > 1):
            return token
        return token.translate(_LEET)

    text = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _WORDLIKE.sub(word, text)


# -- requests for secrets ----------------------------------------------------------------------

_ASK = (
    r"(?:send|share|give|provide|tell|confirm|verify|submit|enter|type|input|include|post|"
    r"write|forward|paste|upload|drop|read\s+(?:out|us|me)|let\s+us\s+(?:know|have|see)|"
    r"reply(?:\s+back)?(?:\s+(?:to\s+us\s+)?with)?|respond\s+with|answer\s+with|dm|message|"
    r"text|need|require|want|what\s+(?:is|are|was|were)|what's|whats|"
    r"ask(?:ing)?\s+(?:you\s+)?(?:for|to))"
)
_NEGATED_ASK = re.compile(
    r"(?:\bnever|\bnot|n't|\bdont|\bwont|\bcannot|\bno\s+one\s+(?:will|should)|"
    r"\bnobody\s+(?:will|should))\s+"
    r"(?:(?:ever|once|be|going\s+to|need\s+to|have\s+to)\s+)*" + _ASK + r"\b"
    r"(?:\s+" + _ASK + r"\b)?"  # "never ask you to send": both verbs are negated
)
_NEGATED = " \u2205 "  # what a negated request becomes: no rule matches it
_GAP = r"\b[^.?!;\n]{0,60}?"  # the rest of the same sentence

_CREDENTIAL_TERMS = (
    r"(?:password|passwd|pass\s*word|pass\s*code|passphrase|pin(?:\s+(?:number|code))?|"
    r"one[-\s]?time\s+(?:pass\s*)?code|otp|2fa|mfa|two[-\s]factor|"
    r"(?:verification|security|login|log[-\s]?in|sign[-\s]?in|access|confirmation|auth|"
    r"authentication|authenticator)\s+code|"
    r"(?:login|log[-\s]?in|sign[-\s]?in)\s+(?:details|info|information)|"
    r"credentials|user\s*name\s+and\s+pass|security\s+(?:answer|question))"
)
# A "code" the customer just received is a one-time code whatever it is called.
_CODE_CONTEXT = (
    r"(?:\b(?:\d+|four|five|six|eight)[-\s]?digits?\s+code|"
    r"\b(?:code|digits)\b[^.?!;\n]{0,40}\b(?:texted|text|sms|sent|messaged|received|got|just|"
    r"phone|mobile|e-?mail|e-?mailed|message|app|authenticator|screen)\b|"
    r"\b(?:sms|text|texted|e-?mailed)\s+code)"
)
_CARD_WORDS = (
    r"(?:(?:full\s+|long\s+|whole\s+)?(?:credit\s+|debit\s+|bank\s+|gift\s+)?card\s*"
    r"(?:number|no|num|details|digits|info|information|data)|cvv2?|cvc2?|csc|cid|"
    r"security\s+digits|expiry\s+date|expiration\s+date|card\s+expiry|"
    r"(?:bank\s+)?account\s+number|sort\s+code|routing\s+number|iban)"
)
_SECRET = re.compile(r"\b" + _ASK + _GAP + _CREDENTIAL_TERMS + r"\b")
_CODE = re.compile(r"\b" + _ASK + _GAP + _CODE_CONTEXT)
_CARD_ASK = re.compile(r"\b" + _ASK + _GAP + _CARD_WORDS + r"\b")
# The digits printed on a card, however phrased; asking for them needs no request verb.
_CARD_FACE = re.compile(
    r"\b(?:\d{1,2}|three|four|fifteen|sixteen|long|full|whole)[-\s]?digits?\b[^.?!;\n]{0,30}?"
    r"\b(?:card|front|back|reverse)\b|"
    r"\b(?:numbers?|digits?|code)\s+(?:\w+\s+){0,2}?(?:on|from|at|printed\s+on|across)\s+"
    r"(?:the\s+|your\s+)?(?:\w+\s+)?(?:front|back|reverse|rear|card)\b"
)
_ASK_ANYWHERE = re.compile(r"\b" + _ASK + r"\b")
_LAST_DIGITS = re.compile(r"\blast\s+(?:4|four)(?:[-\s]digits?)?\b[^.?!;\n]{0,30}")

# -- card numbers -------------------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"(?<!\d)(?:\d[\s.\-_/\\,]{0,2}){12,18}\d(?!\d)")


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _has_card_number(text: str) -> bool:
    for number in order_numbers(text):  # `112-1234567-1234567` is an order, not a card
        text = text.replace(number.lower(), " ")
    for run in _DIGIT_RUN.findall(text):
        digits = re.sub(r"\D", "", run)
        if 13 <= len(digits) <= 19 and _luhn(digits):
            return True
    return False


# -- links ----------------------------------------------------------------------------------------

# Without a scheme, only these endings make a word a domain ("it.never" is a typo, not a link).
_TLDS = (
    "com net org info biz io co me app dev xyz online site top shop store support help link "
    "click live tech cloud page pro vip win ly gl gg to su ru cn tk ml ga cf uk us de fr es it nl "
    "ca au in br jp eu ch se no pl be at ie nz mx example test"
).split()
_SCHEMED = re.compile(r"\b(?:https?|hxxps?|ftp)://[^\s<>\"']+|\bwww\.[^\s<>\"']+")
_BARE = re.compile(r"(?<![\w@.-])(?:[a-z0-9-]+\.)+([a-z]{2,})\b(?:/[^\s<>\"']*)?")
_EMAIL = re.compile(r"\b[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\b")
_LURE = re.compile(
    r"log[-_]?in|sign[-_]?in|signon|verif|account|secur|passw|auth|wallet|billing|confirm|"
    r"unlock|restore|recover|reset"
)


def _host(link: str) -> str:
    url = link if "://" in link else f"http://{link}"
    url = re.sub(r"^hxxp", "http", url)
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.").strip(".")


def _links(text: str, brand: BrandContacts) -> list[str]:
    without_emails = _EMAIL.sub(" ", text)
    tlds = set(_TLDS) | {d.rpartition(".")[2] for d in brand.domains + brand.link_domains}
    found = [m.group(0) for m in _SCHEMED.finditer(without_emails)]
    rest = _SCHEMED.sub(" ", without_emails)
    found += [m.group(0) for m in _BARE.finditer(rest) if m.group(1) in tlds]
    return [link.rstrip(".,;:!?)") for link in found]


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _skeleton(host: str) -> str:
    """Letters that look alike made equal: `shopn0w`, `shopnovv`, `sh0pnow` -> `shopnow`."""
    host = host.translate(_LEET).replace("rn", "m").replace("vv", "w").replace("-", "")
    return host.replace("l", "i")


def _brand_names(brand: BrandContacts) -> set[str]:
    return {d.split(".")[-2] if d.count(".") else d for d in brand.domains}


def _link_issue(raw_text: str, text: str, brand: BrandContacts) -> ReplyIssue | None:
    allowed = brand.domains + brand.link_domains
    suspicious, unknown = [], []
    raw_hosts = {_host(link) for link in _links(raw_text.lower(), brand)}
    for link in _links(text, brand):
        host = _host(link)
        if not host or _on(host, allowed):
            if host and host not in raw_hosts:
                suspicious.append(link)  # only matches once look-alike letters are mapped
            continue
        names = _brand_names(brand)
        labels = host.split(".")
        imitates = any(
            _skeleton(name) in _skeleton(label)
            or _skeleton(name) in _skeleton(host.replace(".", ""))
            for name in names
            for label in labels
        )
        if host.startswith("xn--") or ".xn--" in host or imitates or _LURE.search(link):
            suspicious.append(link)
        else:
            unknown.append(link)
    if suspicious:
        return ReplyIssue(
            True,
            f"the link {suspicious[0]} looks like a sign-in or look-alike page that is not one "
            "of the brand's own domains: scammers send those. Link only to the brand's sites",
        )
    if unknown:
        return ReplyIssue(
            False,
            f"the link {unknown[0]} is not on the brand's own domains "
            f"({', '.join(allowed) or 'none configured in [replies.brand]'}): check it is safe",
        )
    return None


# -- personal data in public replies ---------------------------------------------------------------

_PHONE = re.compile(r"(?<![\w@])\+?\d[\d\s().-]{7,}\d\b")
_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|"
    r"Ln|Drive|Dr|Court|Ct|Way|Place|Pl)\b|\b\d{5}(?:-\d{4})?\b"
)


def _without_brand_contacts(text: str, brand: BrandContacts) -> str:
    """The text with the brand's own e-mail addresses and phone numbers removed."""
    own_emails = {e.strip().lower() for e in brand.emails}

    def email(match: re.Match[str]) -> str:
        address, domain = match.group(0).lower(), match.group(1).lower()
        return " " if address in own_emails or _on(domain, brand.domains) else match.group(0)

    own_phones = {re.sub(r"\D", "", p) for p in brand.phones}

    def phone(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        same = any(digits.endswith(own[-10:]) or own.endswith(digits) for own in own_phones)
        return " " if same and len(digits) >= 7 else match.group(0)

    return _PHONE.sub(phone, _EMAIL.sub(email, text))


def _personal_data(text: str, brand: BrandContacts) -> ReplyIssue | None:
    text = _without_brand_contacts(text, brand)
    exposed = []
    if _EMAIL.search(text):
        exposed.append("an e-mail address")
    if _PHONE.search(re.sub(r"\b\d{3}-\d{7}-\d{7}\b", "", text)):
        exposed.append("a phone number")
    if _ADDRESS.search(text):
        exposed.append("a postal address")
    if money_amounts(text):
        exposed.append("an amount (order total or refund)")
    if order_numbers(text):
        exposed.append("an order number")
    if not exposed:
        return None
    return ReplyIssue(
        False,
        f"this public reply shows {', '.join(exposed)}: everyone can read it. Move to DM instead",
    )


# -- the check ------------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[.?!;\n]+(?:\s|$)|\n", text) if s.strip()]


def _asks_for_secrets(text: str) -> list[ReplyIssue]:
    words = _NEGATED_ASK.sub(_NEGATED, _deleet(text))
    issues = []
    if _SECRET.search(words) or _CODE.search(words):
        issues.append(
            ReplyIssue(
                True,
                "never ask for a password, login details or a one-time code (like the code "
                "in a text message): scammers do that",
            )
        )
    for sentence in _sentences(words):
        sentence = _LAST_DIGITS.sub(" ", sentence)  # "the last 4 digits" identify, not expose
        negated_only = _NEGATED.strip() in sentence and not _ASK_ANYWHERE.search(sentence)
        if _CARD_ASK.search(sentence) or (_CARD_FACE.search(sentence) and not negated_only):
            issues.append(
                ReplyIssue(True, "never ask for a card number or CVV (the last 4 digits are ok)")
            )
            break
    return issues


def check_reply(text: str, channel: Channel, brand: BrandContacts = NO_BRAND) -> list[ReplyIssue]:
    """Blocking issues and warnings for a reply, in the order an agent should fix them."""
    issues: list[ReplyIssue] = []
    if not text.strip():
        issues.append(ReplyIssue(True, "the reply is empty"))
    if len(text) > MAX_LENGTH[channel]:
        issues.append(
            ReplyIssue(True, f"a {channel} reply has at most {MAX_LENGTH[channel]} characters")
        )
    plain = normalise(text)
    issues += _asks_for_secrets(plain)
    if _has_card_number(plain):
        issues.append(ReplyIssue(True, "the reply contains what looks like a card number"))
    link = _link_issue(text, plain, brand)
    if link is not None:
        issues.append(link)
    if channel == ReplyChannel.PUBLIC:
        exposed = _personal_data(unicodedata.normalize("NFKC", text), brand)
        if exposed is not None:
            issues.append(exposed)
    return issues
