"""The display helpers: foreign text reads as text, with spoofing characters made visible."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.safe_text import Markdown, escape, handle, md, one_line, plain, table
from monitor.text import visible

CODE_SPAN = re.compile(r"(?<!\\)(`+) ?(.*?) ?\1")


def unescaped(markdown: str) -> str:
    """What a reader sees: code spans' text, escaped characters without their backslash."""
    parts = CODE_SPAN.split(markdown)
    shown = []
    for n, part in enumerate(parts):
        if n % 3 == 0:
            shown.append(re.sub(r"\\(.)", r"\1", part))
        elif n % 3 == 2:
            shown.append(part)
    return "".join(shown)


def live(markdown: str) -> str:
    """What a Markdown renderer would still interpret: not code, not escaped."""
    return re.sub(r"\\.", "", CODE_SPAN.sub("", markdown))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("abc\u202egnp.exe", "abc⟪U+202E⟫gnp.exe"),
        (
            "\u2066x\u2069 \u202a\u202b\u202c\u202d",
            "⟪U+2066⟫x⟪U+2069⟫ ⟪U+202A⟫⟪U+202B⟫⟪U+202C⟫⟪U+202D⟫",
        ),
        ("ad\u200bmin", "ad⟪U+200B⟫min"),
        ("a\u200cb\u200dc\u2060d\ufeffe", "a⟪U+200C⟫b⟪U+200D⟫c⟪U+2060⟫d⟪U+FEFF⟫e"),
        (
            "bell\x07 soft\u00adhyphen filler\u3164",
            "bell⟪U+0007⟫ soft⟪U+00AD⟫hyphen filler⟪U+3164⟫",
        ),
        ("👩\u200d💻 ❤️", "👩\u200d💻 ❤️"),  # emoji joiners stay: they hide nothing
        ("line\r\nnext\rthird", "line\nnext\nthird"),
        (None, ""),
    ],
)
def test_visible_marks_hidden_characters(raw: str | None, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize(
    "hostile",
    [
        "![](https://evil.example/track.png)",
        "[Click to verify](https://evil.example)",
        "$\\color{red}{X}$",
        ":red[URGENT] :material/warning: :smile:",
        "fine\n# HUGE",
        "# HUGE",
        "- item",
        "1. item",
        "> quote",
        "<img src=x> <https://evil.example> &lt;",
        "www.evil.example mail@evil.example",
        "**bold** _it_ ~~gone~~ `code` {#id} a|b",
        "back\\slash\\",
    ],
)
def test_escape_leaves_no_markdown(hostile: str) -> None:
    escaped = escape(hostile)
    assert isinstance(escaped, Markdown) and "\n" not in escaped
    rest = live(escaped)
    assert not set(rest) & set("`*_~[]<>&$:{}|@/\\")
    assert not re.match(r"\s*([#>+=-]|\d+[.)])", rest)
    assert "www." not in rest and "http" not in rest
    assert unescaped(escaped) == hostile.replace("\n", " ⏎ ")


def test_links_in_values_are_code_not_links() -> None:
    assert escape("see https://evil.example/x now") == "see `https://evil.example/x` now"
    assert escape("mail a.b@evil.example") == "mail `a.b@evil.example`"
    assert escape("www.evil.example") == "`www.evil.example`"


def test_md_escapes_values_but_keeps_the_app_words() -> None:
    result = md("Customer **{}** paid {}", "*Dana*", "$5")
    assert result == "Customer **\\*Dana\\*** paid \\$5"
    assert md("{} and {}", handle("x"), escape("y")) == "`@x` and y"  # helpers are not re-escaped


def test_md_clips_long_values() -> None:
    assert unescaped(md("{}", "x" * 500, limit=10)) == "x" * 9 + "…"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("dana", "`@dana`"),
        ("@dana", "`@dana`"),
        ("a`b", "``@a`b``"),
        ("x`", "`` @x` ``"),
        ("![](https://evil.example/p.png)", "`@![](https://evil.example/p.png)`"),
        ("a\u202eb\nc", "`@a⟪U+202E⟫b ⏎ c`"),
    ],
)
def test_handle_is_a_code_span(raw: str, code: str) -> None:
    assert handle(raw) == code


def test_plain_and_one_line() -> None:
    assert plain("a\u202eb\nc", limit=4) == "a⟪U…"
    assert one_line("a\nb\tc") == "a ⏎ b c"


def test_table_cleans_text_cells_and_keeps_numbers() -> None:
    frame = table(pd.DataFrame({"who": ["ad\u200bmin"], "n": [3]}))
    assert frame["who"].tolist() == ["ad⟪U+200B⟫min"] and frame["n"].tolist() == [3]
