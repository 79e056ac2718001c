"""Which case the Case page works on; shared through session state so opening a case on
the Queue page (or from a customer's history) carries over."""

from __future__ import annotations

import streamlit as st

from dashboard.actions import read
from dashboard.formatting import author_label
from dashboard.safe_text import one_line
from monitor.cases.queue import QueueFilters, queue

CASE = "case_id"


def show(key: str) -> int | None:
    rows = read(lambda s: queue(s, QueueFilters(), limit=200))
    labels = {
        r.case_id: f"#{r.case_id} · {r.urgency:.0f} · {author_label(r.platform, r.author, None)}"
        f" · {r.text}"
        for r in rows
    }
    current = st.session_state.get(CASE)
    if current is not None and current not in labels:
        labels = {current: f"#{current}", **labels}
    if not labels:
        st.info("No open cases.")
        return None
    options = list(labels)
    choice = st.selectbox(
        "Case",
        options,
        index=options.index(current) if current in labels else 0,
        format_func=lambda case_id: one_line(labels[case_id], 120),
        key=key,
    )
    st.session_state[CASE] = choice
    return choice


def chosen(key: str) -> int:
    """The picked case; stops the page when there is none."""
    case_id = show(key)
    if case_id is None:
        st.stop()
        raise AssertionError("unreachable: st.stop() ends the run")
    return case_id


def open_case(case_id: int) -> None:
    """A button callback: show `case_id` next. The picker's own widget state is dropped so
    it follows the new choice instead of keeping the previous case."""
    st.session_state[CASE] = case_id
    st.query_params["case"] = str(case_id)  # the address bar names the open case
    for key in [k for k in st.session_state if str(k).endswith("_pick")]:
        del st.session_state[key]
