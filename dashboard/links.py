"""Links to a case: `?case=85` opens it (after the sign-in form if needed), and every case
shows its link so it can be shared with a colleague or opened in a new tab."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from dashboard.safe_text import plain

PARAM = "case"
CASE = "case_id"  # session state: the case the Case page shows
CASE_PAGE = "views/case.py"
CASE_URL_PATH = "case"
REPLY = "case_reply_first"  # session state: the case opened with "r" (reply) from the Queue
_SEEN = "case_link_seen"  # the last ?case= value taken from the address bar
_PAGE_PATH = "page_url_path"  # set by app.py: the url path of the page being drawn


def requested_case() -> int | None:
    """The case named in the address bar, if it is a plausible case id."""
    value = st.query_params.get(PARAM)
    if value is None or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


def follow_link() -> int | None:
    """Make a new `?case=` in the address bar the case the Case page shows, and return it.
    Only a changed value counts, so an old link left in the address bar never undoes a
    later choice (None then)."""
    case_id = requested_case()
    if case_id is None or st.session_state.get(_SEEN) == case_id:
        return None
    _choose(case_id)
    return case_id


def _choose(case_id: int) -> None:
    st.session_state[CASE] = case_id
    st.session_state[_SEEN] = case_id
    # A case picker's own widget state would keep showing the previous case.
    for key in [k for k in st.session_state if str(k).endswith("_pick")]:
        del st.session_state[key]


def open_case(case_id: int, *, reply: bool = False) -> NoReturn:
    """Show `case_id` on the Case page, with its link in the address bar. `reply` asks the
    page to put the reply composer first (REPLY names the case)."""
    _choose(case_id)
    if reply:
        st.session_state[REPLY] = case_id
    st.switch_page(CASE_PAGE, query_params={PARAM: str(case_id)})


def case_url(case_id: int) -> str:
    """The full address of the case, as this browser reaches the dashboard."""
    url = (st.context.url or "").removesuffix("/")
    page = st.session_state.get(_PAGE_PATH) or ""
    if page and url.endswith(f"/{page}"):
        url = url.removesuffix(f"/{page}")
    return f"{url}/{CASE_URL_PATH}?{PARAM}={case_id}"


def show_case_link(case_id: int) -> None:
    """The case's link in the sidebar, with a copy button; the address bar shows it too."""
    if st.query_params.get(PARAM) != str(case_id):
        st.query_params[PARAM] = str(case_id)
        st.session_state[_SEEN] = case_id
    with st.sidebar:
        st.caption("Link to this case (copy to share or open in a new tab)")
        st.code(plain(case_url(case_id)), language=None, wrap_lines=True)


def remember_page(url_path: str) -> None:
    """app.py: the page being drawn, so `case_url` can find the app's own address."""
    st.session_state[_PAGE_PATH] = url_path
