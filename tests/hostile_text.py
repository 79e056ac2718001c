"""Hostile text in every place a stranger or a staff member can write it, and a check that
walks everything a page drew and fails on anything that would render as markup.

Used by the AppTest walk over every page and by the browser test.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
from casework import make_customer, make_order, make_user
from factories import T0
from sqlalchemy.orm import Session

from monitor.cases.actions import add_note
from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import reject_resolution, request_resolution
from monitor.config import BrandSettings, ClearanceSettings, ImpostorSettings
from monitor.db.models import Alert, Post, Score, SourceState
from monitor.impostors.score import BrandProfile
from monitor.impostors.service import check_posts, store_third_party
from monitor.ingest import store_posts
from monitor.sources.base import AuthorInfo, IncomingPost
from monitor.submissions import new_key

PIXEL_HOST = "evil.example"
PIXEL = f"![](https://{PIXEL_HOST}/track.png)"
LINK = f"[Click to verify](https://{PIXEL_HOST}/login)"
LATEX = "$\\color{red}{X}$"
COLOUR = ":red[URGENT]"
ICON = ":material/warning:"
HEADING = "fine\n# HUGE"
RTL = "abc\u202egnp.exe"  # reads "abcexe.png" in a browser that obeys the override
ZERO_WIDTH = "ad\u200bmin"
HTML = f'<img src="https://{PIXEL_HOST}/html.png">'
AUTOLINK = f"www.{PIXEL_HOST} <https://{PIXEL_HOST}/a> mail@{PIXEL_HOST}"

# One value per field: each combines several attacks so every field meets each of them.
HANDLE = f"{PIXEL}{COLOUR}{RTL}"
DISPLAY_NAME = f"{LINK} {LATEX}{HEADING}"
CUSTOMER = f"{ZERO_WIDTH} {ICON} {PIXEL}"
NOTE = f"Approved by CFO {LINK}\n# HUGE {PIXEL} {AUTOLINK}"
REASON = f"{LINK} {HTML} {LATEX}"
REJECTION = f"{PIXEL} {COLOUR}\n# HUGE {RTL}"
ALERT_TEXT = f"<!channel> <https://{PIXEL_HOST}|ShopNow login> {PIXEL}"
UPSTREAM_ERROR = f"403 {LINK}\n# HUGE {HTML}"
ORDER = "111-0000009-0000009"

# Written with all of the characters above, these fragments can only come from foreign text
# that reached a Markdown sink unescaped.
FORBIDDEN_IN_MARKDOWN = [
    "![", "](", ":red[", ":material", "$", "<img", "<!", "<https", "\n#", "www.", "@evil",
]  # fmt: skip
HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class HostileCase:
    case_id: int
    resolution_id: int


def add_hostile_case(session: Session) -> HostileCase:
    """A Facebook-style author with a hostile handle and display name, a customer with a
    hostile name, staff notes and reasons, an alert and a failing source with hostile text."""
    make_user(session, "root", "admin")
    agent = make_user(session, "ann", "agent")
    senior = make_user(session, "sue", "supervisor")
    incoming = IncomingPost(
        platform="x",
        external_id="666",
        kind="mention",
        author=AuthorInfo("x", "6666", HANDLE, display_name=DISPLAY_NAME, followers=90_000),
        text=f"My order never came {LINK}",
        created_at=T0,
    )
    [post_id] = store_posts(session, [incoming]).new_post_ids
    post = session.get_one(Post, post_id)
    session.add(
        Score(
            post=post, model_version="fixture", negative=0.9, neutral=0.05, positive=0.05,
            urgency=91, intent="delivery", factors={"negative": 60.0, "reach": 8.0},
            explanation=f"negative 0.90 {COLOUR}",
        )
    )  # fmt: skip
    case = post.case
    assert case is not None
    case.priority, case.intent = 91, "delivery"
    customer = make_customer(session, CUSTOMER, "hostile")
    customer.email = f"x@{PIXEL_HOST}"
    make_order(session, customer, ORDER, "650.00", item=f"Headphones {PIXEL}")
    post.author.customer_id = customer.id
    session.flush()
    link_order(session, agent, case.id, ORDER, key=new_key(), evidence=f"evidence {LINK}")
    add_note(session, agent, case.id, NOTE, key=new_key())
    policy = ClearanceSettings()
    rejected = request_resolution(
        session, agent, case.id, "refund", amount=Decimal(640), order_id=ORDER, reason=REASON,
        policy=policy, order_system=LedgerOrderSystem(session), key=new_key(),
    )  # fmt: skip
    reject_resolution(session, senior, rejected.resolution.id, REJECTION, key=new_key())
    pending = request_resolution(
        session, agent, case.id, "refund", amount=Decimal(650), order_id=ORDER, reason=REASON,
        policy=policy, order_system=LedgerOrderSystem(session), key=new_key(),
    )  # fmt: skip
    impostor = IncomingPost(
        platform="x",
        external_id="667",
        kind="reply",
        author=AuthorInfo("x", "6667", f"ShopNowHe1p{RTL}", display_name=f"ShopNow {LINK}"),
        text=f"So sorry! Verify here {LINK} {PIXEL} or call +1-888-402-7719",
        created_at=T0,
    )
    brand = BrandSettings(name="ShopNow", accounts=("ShopNowHelp",), domains=("shopnow.com",))
    check_posts(
        session, store_third_party(session, case.id, [impostor]),
        BrandProfile.from_settings(brand), ImpostorSettings(),
    )  # fmt: skip
    session.add(
        Alert(
            rule="urgency", route="slack-care", dedupe_key="hostile", case_id=case.id,
            title=f"Urgent {ALERT_TEXT}", body=ALERT_TEXT, status="failed", attempts=1,
            error=UPSTREAM_ERROR, created_at=T0,
        )
    )  # fmt: skip
    session.add(
        SourceState(
            name="x-main", platform="x", healthy=False, last_error=UPSTREAM_ERROR,
            last_error_at=T0, last_success_at=T0 - timedelta(hours=1),
        )
    )  # fmt: skip
    session.commit()
    return HostileCase(case.id, pending.resolution.id)


# --- walking what a page drew -------------------------------------------------------------

# Element fields that Streamlit shows as text; every other string field is Markdown.
PLAIN_FIELDS = {
    ("text", "body"), ("code", "code_text"), ("selectbox", "options"),
    ("multiselect", "options"), ("text_input", "value"), ("text_area", "value"),
    ("text_area", "default"), ("text_input", "default"), ("selectbox", "default"),
}  # fmt: skip
SKIPPED_FIELDS = {"id", "form_id", "key", "type", "placeholder"}


def _strings(message: Any, owner: str) -> Iterator[tuple[bool, str]]:
    """(is Markdown, text) for every string in a protobuf message."""
    for field, value in message.ListFields():
        if field.name in SKIPPED_FIELDS:
            continue
        values = (
            value
            if isinstance(value, Sequence) and not isinstance(value, (str, bytes))
            else [value]
        )
        for item in values:
            if isinstance(item, str):
                yield (owner, field.name) not in PLAIN_FIELDS, item
            elif isinstance(item, bytes) and field.name == "data":
                yield from ((False, cell) for cell in _arrow_cells(item))
            elif hasattr(item, "ListFields"):
                yield from _strings(item, owner)


def _arrow_cells(data: bytes) -> Iterator[str]:
    table = pa.ipc.open_stream(io.BytesIO(data)).read_all()
    for column in table.columns:
        for value in column.to_pylist():
            if isinstance(value, str):
                yield value


def drawn(app: Any) -> list[tuple[bool, str]]:
    """Every string on the page, marked Markdown or plain."""
    found: list[tuple[bool, str]] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            found.extend(_strings(proto, str(getattr(node, "type", ""))))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return found


def _outside_code(markdown: str) -> str:
    return re.sub(r"(?<!\\)(`+)(?!`).*?(?<!`)\1(?!`)", " ", markdown, flags=re.S)


def _literal_parts(markdown: str) -> str:
    """The Markdown with code spans and backslash-escaped characters taken out: what is left
    is what Streamlit interprets."""
    return re.sub(r"\\.", " ", _outside_code(markdown), flags=re.S)


# Streamlit links URLs, `www.` names and e-mail addresses in text even when their punctuation
# is escaped: outside code spans, none may be left once the escapes are read.
LINKABLE = re.compile(r"(?i)https?:/|www\.|[\w.+-]+@[\w-]+\.[\w-]")


def markup_problems(app: Any) -> list[str]:
    problems = []
    for is_markdown, text in drawn(app):
        if HIDDEN.search(text):
            problems.append(f"invisible or bidi character shown raw: {text!r}")
        if is_markdown and not text.lstrip().startswith("{"):  # chart specs are JSON
            live = _literal_parts(text)
            problems += [f"{bad!r} would render in {text!r}" for bad in FORBIDDEN_IN_MARKDOWN
                         if bad in live]  # fmt: skip
            read = re.sub(r"\\(.)", r"\1", _outside_code(text))
            if LINKABLE.search(read):
                problems.append(f"a link would be made in {text!r}")
    return problems


def shown_text(app: Any) -> str:
    """All text on the page with Markdown escapes removed: what a reader sees."""
    return "\n".join(re.sub(r"\\(.)", r"\1", text) for _, text in drawn(app))
