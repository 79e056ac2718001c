"""The app's own JavaScript, in one place: storing and removing the sign-in cookie, the
queue's keyboard shortcuts, and putting the cursor in the reply box.

This is the only module that runs scripts in the page (`st.html` with JavaScript). It never
takes text from outside: values are the app's own (route paths, one-time codes it made,
widget keys), written as JSON string literals so they cannot end the script.
"""

from __future__ import annotations

import json

import streamlit as st

from dashboard.session_routes import END_PATH, START_PATH, url_path


def _literal(value: str) -> str:
    """A JavaScript string literal that cannot close the <script> element around it."""
    return json.dumps(value).replace("</", "<\\/")


def _run(script: str, *, key: str) -> None:
    with st.container(key=f"script_{key}", height=1, border=False):
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def _route(path: str) -> str:
    return url_path(str(st.get_option("server.baseUrlPath") or ""), path)


def store_session_cookie(handoff: str) -> None:
    """Ask the server to turn the one-time `handoff` code into the HttpOnly session cookie."""
    _run(
        f"fetch({_literal(_route(START_PATH))}, {{method: 'POST', body: {_literal(handoff)}, "
        "credentials: 'same-origin', headers: {'Content-Type': 'text/plain'}});",
        key="session_cookie_store",
    )


def remove_session_cookie() -> None:
    _run(
        f"fetch({_literal(_route(END_PATH))}, {{method: 'POST', credentials: 'same-origin'}});",
        key="session_cookie_remove",
    )


# Key -> the widget key of the button it presses. Keys typed into a field, or with Ctrl, Alt
# or Cmd, are left alone. Streamlit gives each keyed widget the class `st-key-<key>`.
QUEUE_KEYS = {"j": "queue_down", "k": "queue_up", "Enter": "queue_open", "r": "queue_reply"}


def queue_keys() -> None:
    """The Queue's keyboard shortcuts (listed in the page's help and the README)."""
    _run(
        "if (!window.monitorQueueKeys) {"
        " window.monitorQueueKeys = true;"
        " document.addEventListener('keydown', (event) => {"
        "  if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;"
        "  const target = event.target;"
        "  if (target && (target.isContentEditable ||"
        "      ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;"
        f"  const keys = {json.dumps(QUEUE_KEYS)};"
        "  const name = keys[event.key];"
        "  if (!name) return;"
        "  const button = document.querySelector(`.st-key-${name} button`);"
        "  if (!button || button.disabled) return;"
        "  event.preventDefault();"
        "  button.click();"
        " }, true);"
        "}",
        key="queue_keys",
    )


def focus_text_area(key: str) -> None:
    """Put the cursor in the text area with widget key `key` once it is drawn (the Queue's
    "r" opens a case ready to type the reply). Waits up to two seconds for it to appear."""
    # In a function: its names must not clash with an earlier run of the script in the page.
    _run(
        f"(() => {{ const selector = {_literal(f'.st-key-{key} textarea')};"
        " let tries = 0;"
        " const focus = () => {"
        "  const box = document.querySelector(selector);"
        "  if (box) { box.focus(); box.scrollIntoView({block: 'center'}); return; }"
        "  if (++tries < 20) setTimeout(focus, 100);"
        " };"
        " focus(); })();",
        key=f"focus_{key}",
    )
