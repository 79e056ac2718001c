"""Architecture rule: a dashboard file never hands text it did not write to a Streamlit call
that interprets Markdown, except through the helpers in dashboard/safe_text.py.

What a sink accepts: a string or number literal, an UPPER_CASE constant (or an item of one),
or a call to `md`, `escape` or `handle` (whose template must itself be a literal). Anything
else (an f-string, a variable, `str(exc)`) fails here with the file and line to fix.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
HELPERS = DASHBOARD / "safe_text.py"
# The one module that runs the app's own scripts (the sign-in cookie, keyboard shortcuts):
# it takes no text from outside; tests/dashboard/test_browser_scripts.py checks what it writes.
SCRIPTS = DASHBOARD / "browser_scripts.py"

# Streamlit calls whose text arguments are Markdown: argument positions and keywords checked.
MARKDOWN_SINKS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    **{name: ((0,), ("body",)) for name in (
        "markdown", "caption", "title", "header", "subheader", "write", "info", "success",
        "warning", "error", "toast", "latex")},
    "metric": ((0, 1, 2), ("label", "value", "delta")),
    **{name: ((0,), ("label",)) for name in (
        "expander", "popover", "status", "button", "form_submit_button", "download_button",
        "link_button", "page_link", "checkbox", "toggle", "radio", "selectbox", "multiselect",
        "text_input", "text_area", "number_input", "slider", "select_slider", "date_input",
        "time_input", "file_uploader", "color_picker", "pills", "segmented_control")},
    "tabs": ((0,), ("tabs",)),
}  # fmt: skip
# Widgets whose options are Markdown (format_func must return escaped text) or plain text
# (format_func must return `plain` or `one_line` text, which marks bidi controls).
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control", "select_slider"}
PLAIN_OPTIONS = {"selectbox", "multiselect"}
SAFE_MARKDOWN = {"md", "escape", "handle"}
SAFE_PLAIN = {"plain", "one_line"}
FORBIDDEN = {"html"}  # st.html renders HTML as it is


def _sink_name(node: ast.expr) -> str | None:
    """`st.caption`, `left.metric`, `st.sidebar.button`: sinks are always methods."""
    return node.attr if isinstance(node, ast.Attribute) else None


def _called_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, int, float)) or node.value is None
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()
    if isinstance(node, ast.Subscript):
        return _constant(node.value)
    return False


def _safe(node: ast.expr, helpers: set[str]) -> bool:
    if _constant(node):
        return True
    if isinstance(node, ast.IfExp):
        return _safe(node.body, helpers) and _safe(node.orelse, helpers)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_safe(item, helpers) for item in node.elts)
    if isinstance(node, ast.Call) and _called_name(node.func) in helpers:
        if _called_name(node.func) == "md":  # the template must be the app's own words
            return bool(node.args) and isinstance(node.args[0], ast.Constant)
        return True
    return False


def _safe_function(node: ast.expr, helpers: set[str]) -> bool:
    if isinstance(node, ast.Lambda):
        return _safe(node.body, helpers)
    return _called_name(node) in helpers or _constant(node)


def violations(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        names = (
            [_sink_name(func.body), _sink_name(func.orelse)]
            if isinstance(func, ast.IfExp)
            else [_sink_name(func)]
        )
        for name in names:
            where = f"{filename}:{node.lineno}"
            if name in FORBIDDEN:
                found.append(f"{where}: st.{name} renders raw HTML; use the safe_text helpers")
            if name not in MARKDOWN_SINKS:
                continue
            if isinstance(func, ast.IfExp):
                found.append(f"{where}: call one sink at a time so each can be checked")
            positions, keywords = MARKDOWN_SINKS[name]
            checked = [node.args[i] for i in positions if i < len(node.args)]
            checked += [k.value for k in node.keywords if k.arg in keywords or k.arg == "help"]
            for argument in checked:
                if not _safe(argument, SAFE_MARKDOWN):
                    found.append(
                        f"{where}: {name}() gets {ast.unparse(argument)!r}: wrap it in md()"
                    )
            for keyword in node.keywords:
                if keyword.arg == "unsafe_allow_html" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"{where}: unsafe_allow_html is not allowed")
                if keyword.arg == "format_func":
                    helpers = SAFE_PLAIN if name in PLAIN_OPTIONS else SAFE_MARKDOWN
                    if name not in PLAIN_OPTIONS | MARKDOWN_OPTIONS or not _safe_function(
                        keyword.value, helpers
                    ):
                        found.append(
                            f"{where}: {name}(format_func=...) must return {sorted(helpers)}"
                        )
    return found


def dashboard_files() -> list[Path]:
    return sorted(p for p in DASHBOARD.rglob("*.py") if p not in (HELPERS, SCRIPTS))


def test_every_markdown_sink_gets_escaped_text() -> None:
    problems = [
        problem
        for path in dashboard_files()
        for problem in violations(path.read_text(), str(path.relative_to(DASHBOARD.parent)))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "line",
    [
        'st.caption(f"{item.who} · {when}")',
        "st.markdown(note.text)",
        'st.subheader("@" + handle)',
        "st.error(str(exc))",
        "(st.success if ok else st.error)(report.describe())",
        'cols[0].metric("Assigned to", detail.assignee)',
        "st.expander(title)",
        "st.button(label)",
        'st.markdown("<b>x</b>", unsafe_allow_html=True)',
        'st.radio("Channel", CHANNELS, format_func=lambda c: c.title())',
        'st.selectbox("Case", ids, format_func=lambda i: labels[i])',
        "st.markdown(md(template, value))",
        "st.html(post.text)",
        'st.tabs([name, "Other"])',
        'st.text_input("Search", help=hint)',
    ],
)
def test_the_rule_catches(line: str) -> None:
    assert violations(line, "page.py"), line


@pytest.mark.parametrize(
    "line",
    [
        'st.caption("Not scored yet.")',
        'st.caption(md("{} · {}", handle(item.who), when))',
        "st.error(escape(message))",
        'st.metric("Urgency", md("{}", value))',
        'st.selectbox("User", names, format_func=one_line)',
        'st.selectbox("Action", ACTIONS, format_func=lambda a: ACTION_LABELS[a])',
        'st.radio("Channel", CHANNELS, format_func=lambda c: "Public" if c else "DM")',
        'st.button(md("Link {}", order.id), key="x")',
        "st.text(plain(post.text))",
    ],
)
def test_the_rule_allows(line: str) -> None:
    assert not violations(line, "page.py"), line
