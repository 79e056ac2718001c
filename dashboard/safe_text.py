"""The one way pages show text they did not write: posts, handles, display names, customer
names, staff notes and reasons, upstream error bodies, alert text, usernames.

Streamlit interprets Markdown in `st.markdown`, `st.caption`, titles, alerts (`st.error` ...),
metric and expander labels, widget labels and radio options: links, images (a tracking pixel
fetched by every viewer), headings after a newline, LaTeX `$...$`, `:red[...]` colours and
`:material/...:` icons. Foreign text is therefore never put into those sinks directly:

- `md("Signed in as **{}** ({})", name, role)`: a literal template of the app's own words
  (Markdown allowed) with every value escaped, so a value can only ever read as text;
- `handle(h)`: an author handle as a code span, visibly apart from the app's own words;
- `plain(text)`: for sinks that never interpret Markdown (`st.text`, `st.code`, table cells,
  selectbox options).

All three mark bidi controls and invisible characters (`⟪U+202E⟫`), so a right-to-left
override cannot reverse the app's own timestamp and `ad\u200bmin` does not read "admin".
tests/dashboard/test_safe_text_rule.py fails when a page passes anything else to a sink.
"""

from __future__ import annotations

import re

import pandas as pd

from monitor.secrets import mask
from monitor.text import clip, visible

# Characters that start Markdown or Streamlit syntax anywhere in a line: code, emphasis,
# strike-through, links and images, HTML and autolinks, entities, LaTeX, directives (colours,
# icons, emoji), attributes, tables, e-mail autolinks, and `/` of `:material/`.
_INLINE_SPECIALS = frozenset("\\`*_~[]<>&$:{}|@/")
# ...and what only matters at the start of a line: headings, quotes, list items, rules.
_LINE_START = re.compile(r"^(\s*)([#>+=*-]|\d+[.)])")
# Streamlit turns URLs, `www.` names and e-mail addresses in text into links even when
# their punctuation is escaped, so those parts are shown as code spans, which it never links.
_LINKABLE = re.compile(
    r"(?i)(?:https?:/+|ftp:/+|mailto:|www\.)[^\s`]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)


class Markdown(str):
    """Markdown that is safe to render: app words, with every foreign part escaped."""


def plain(text: object, limit: int | None = None) -> str:
    """For sinks that show text as text (`st.text`, `st.code`, tables, selectbox options)."""
    return clip(visible(mask(text)), limit)


def one_line(text: object, limit: int | None = None) -> str:
    """`plain`, with line breaks shown as ` ⏎ ` so a value cannot start a line of its own."""
    return clip(visible(mask(text)).replace("\n", " ⏎ ").replace("\t", " "), limit)


def _code(text: str) -> str:
    """`text` as an inline code span, which Markdown shows character for character."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape_chars(text: str) -> str:
    return "".join("\\" + c if c in _INLINE_SPECIALS else c for c in text)


def escape(text: object, limit: int | None = None) -> Markdown:
    """A value as Markdown that renders exactly as its text, on one line; links in it are
    shown as code, not made clickable."""
    value = one_line(text, limit)
    parts, start = [], 0
    for found in _LINKABLE.finditer(value):
        parts += [_escape_chars(value[start : found.start()]), _code(found.group())]
        start = found.end()
    escaped = "".join([*parts, _escape_chars(value[start:])])
    return Markdown(_LINE_START.sub(lambda m: m[1] + m[2][:-1] + "\\" + m[2][-1], escaped))


def handle(value: object, limit: int = 60) -> Markdown:
    """`@name` as a code span: shown literally and set apart from the app's own words."""
    text = one_line(value, limit)
    return Markdown(_code(text if text.startswith("@") else f"@{text}"))


def md(template: str, *values: object, limit: int | None = 300) -> Markdown:
    """Fill `{}` in a literal template of app words; each value is escaped unless it is
    already `Markdown` from one of these helpers."""
    return Markdown(
        template.format(*(v if isinstance(v, Markdown) else escape(v, limit) for v in values))
    )


def table(frame: pd.DataFrame, limit: int | None = 500) -> pd.DataFrame:
    """A copy of `frame` whose text cells are `plain`: tables never interpret Markdown, but
    a bidi override in a cell would still reverse what follows it."""
    return frame.map(lambda value: plain(value, limit) if isinstance(value, str) else value)
