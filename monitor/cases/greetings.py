"""Who a reply template greets: an `@handle` only when it is a real handle on that platform.

A handle comes from outside (a Facebook display name, a replayed file, a gateway), so it may
hold a link, Markdown or a bidi override. Copied into the brand's public reply it would
publish the attacker's text under the brand's name. Only a handle that matches the
platform's own grammar is mentioned; anything else is left out with a warning for the agent,
and platforms without handles (Facebook) get a neutral greeting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

X_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
# What each platform accepts as a username; None: the platform has no @handles to mention.
HANDLE_GRAMMAR: dict[str, re.Pattern[str] | None] = {
    "x": X_HANDLE,
    "demo": X_HANDLE,  # the demo imitates X
    "instagram": re.compile(r"[A-Za-z0-9._]{1,30}"),
    "facebook": None,
}
# A first name we are willing to print: letters (any script), apostrophes, hyphens, dots.
_NAME = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?")
NEUTRAL = "there"


@dataclass(frozen=True)
class Greeting:
    mention: str | None  # "@dana", or None when the reply must not mention anyone
    warning: str | None = None  # why a handle was left out, for the agent


def greeting(platform: str, handle: str) -> Greeting:
    """The `@mention` for a reply to `handle` on `platform`, if it is safe to write one."""
    if platform not in HANDLE_GRAMMAR:
        return Greeting(None, f"{platform} handles are not mentioned in templates: check the reply")
    grammar = HANDLE_GRAMMAR[platform]
    if grammar is None:
        return Greeting(None)
    name = handle.removeprefix("@")
    if grammar.fullmatch(name):
        return Greeting(f"@{name}")
    return Greeting(
        None,
        f"the author's handle is not a valid {platform} handle, so the template leaves it out: "
        "check who you are answering before sending",
    )


def first_name(customer_name: str | None) -> str | None:
    """The customer's first name from our records, if it is a plain name (not a link)."""
    first = (customer_name or "").strip().split(" ")[0]
    return first if 0 < len(first) <= 40 and _NAME.fullmatch(first) else None


def fill(template: str, hello: Greeting, customer_name: str | None) -> str:
    """Fill `{handle}` and `{name}`; without a mention, `@{handle}` is worded around."""
    name = first_name(customer_name) or hello.mention or NEUTRAL
    if hello.mention is None:
        template = re.sub(r"^@\{handle\}\s+(\w)", lambda m: m[1].upper(), template)
        template = re.sub(r",\s*@\{handle\}", "", template)
        template = template.replace("@{handle}", NEUTRAL)
    return template.format(handle=(hello.mention or "").removeprefix("@"), name=name)
