"""Queue: the cases that still need the team, a page at a time. Cases owing a reply come
before answered ones, then the most urgent first; each row says why it ranks there and when
its reply is due. Click a row to open the case; keys: j/k move, Enter opens, r replies."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import browser_scripts, links
from dashboard.actions import field, form_key, perform, read, show_flash
from dashboard.auth import current_actor, require_session
from dashboard.components import bulk_bar
from dashboard.formatting import channel_label, due_label, reach_label
from dashboard.safe_text import md, one_line, table
from dashboard.state import app_context
from monitor.auth.permissions import allowed
from monitor.cases.actions import claim_case
from monitor.cases.naming import author_label
from monitor.cases.queue import BREACH_MINUTES, QueueFilters, QueuePage, queue_facets, queue_page
from monitor.reports.queue_export import queue_csv
from monitor.scoring.language import language_name
from monitor.vocab import OPEN_CASE_STATUSES, CaseStatus, Permission

VIEWS = {
    "all": "All",
    "first": "Needs first reply",
    "mine": "My cases",
    "unassigned": "Unassigned",
    "breaching": f"Breaching in {BREACH_MINUTES:g} min",
}
PAGE_SIZES = (25, 50, 100, 200)
KEYS_HELP = "Keys: j / k move the ▶ marker, Enter opens that case, r replies to it."
SHOWN = "queue_shown"  # the case ids of the table as last drawn, in order
CURSOR = "queue_cursor"  # the case the ▶ marker is on
PAGE = "queue_page_number"
TABLE = "queue_table_generation"  # a new table key drops a handled selection

ctx = app_context()
actor = current_actor()
st.title("Queue", help=KEYS_HELP)
show_flash()

facets = read(queue_facets)
with st.sidebar:
    st.header("Filters")
    platforms = st.multiselect("Platform", facets["platforms"], key="queue_platforms")
    statuses = st.multiselect(
        "Status", list(CaseStatus), default=list(OPEN_CASE_STATUSES), key="queue_statuses"
    )
    intents = st.multiselect(
        "Intent", facets["intents"], format_func=lambda i: one_line(i.replace("_", " ")),
        key="queue_intents",
    )  # fmt: skip
    topics = st.multiselect(
        "Topic",
        facets["topics"],
        format_func=lambda topic: one_line(topic.replace("_", " ")),
        key="queue_topics",
        help="Cases with a post on any of these topics.",
    )
    languages = st.multiselect(
        "Language",
        facets["languages"],
        format_func=lambda code: one_line(language_name(code)),
        key="queue_languages",
        help="Cases with a post in any of these languages.",
    )
    min_urgency = st.slider("Minimum urgency", 0, 100, 0, key="queue_min_urgency")

search_col, view_col = st.columns([2, 3], vertical_alignment="bottom")
search = search_col.text_input(
    "Search",
    key="queue_search",
    placeholder="Words of a post, @handle, order number or #case",
    max_chars=200,
)
view = (
    view_col.segmented_control(
        "Show", list(VIEWS), default="all", format_func=lambda v: VIEWS[v], key="queue_view"
    )
    or "all"
)

filters = QueueFilters(
    platforms=tuple(platforms),
    statuses=tuple(statuses) or OPEN_CASE_STATUSES,
    intents=tuple(intents),
    topics=tuple(topics),
    languages=tuple(languages),
    min_urgency=float(min_urgency),
    assignee_id=actor.user_id if view == "mine" else None,
    unassigned=view == "unassigned",
    needs_first_reply=view == "first",
    due_within_minutes=BREACH_MINUTES if view == "breaching" else None,
    search=search,
)
if st.session_state.get("queue_filters_seen") != filters:  # new filters start at page 1
    st.session_state["queue_filters_seen"] = filters
    st.session_state[PAGE] = 1

may_work = allowed(actor, Permission.CASE_WORK)
if not may_work:
    st.caption(
        "Read-only access: your role sees every case and can open it, but cannot claim, "
        "assign, reply or close."
    )
bulk = may_work and st.toggle(
    "Select several",
    key="queue_bulk",
    help="Tick rows to claim, assign or close them together. Live refresh pauses meanwhile.",
)
REFRESH = ctx.settings.dashboard.refresh_seconds
default_size = ctx.settings.dashboard.page_size
sizes = sorted({*PAGE_SIZES, default_size})


def _move(step: int) -> None:
    shown: list[int] = st.session_state.get(SHOWN, [])
    if not shown:
        return
    current = st.session_state.get(CURSOR)
    at = shown.index(current) if current in shown else 0
    st.session_state[CURSOR] = shown[min(max(at + step, 0), len(shown) - 1)]


def _turn(step: int, pages: int) -> None:
    st.session_state[PAGE] = min(max(st.session_state.get(PAGE, 1) + step, 1), pages)


def _table_key(shown: list[int]) -> str:
    """Same rows, same table (the ticks stay); other rows, a fresh table without ticks."""
    generation = st.session_state.get(TABLE, 0)
    rows = hash(tuple(shown)) & 0xFFFFFFFF
    return f"queue_table_{'bulk' if bulk else 'open'}_{generation}_{rows:x}"


def _selected(shown: list[int]) -> list[int]:
    """Case ids of the rows ticked, or of the cell clicked, in the table as it was last
    drawn (`shown`)."""
    state: Any = st.session_state.get(_table_key(shown))
    if state is None:
        return []
    selection = state["selection"]
    rows = [*selection.get("rows", []), *(cell[0] for cell in selection.get("cells", []))]
    return list(dict.fromkeys(shown[i] for i in rows if 0 <= i < len(shown)))


def _frame(result: QueuePage, cursor: int | None) -> pd.DataFrame:
    rows = result.rows
    return pd.DataFrame(
        {
            " ": ["▶" if row.case_id == cursor else "" for row in rows],
            "Case": [row.case_id for row in rows],
            "Urgency": [row.urgency for row in rows],
            "Due": [due_label(row.sla_minutes_left()) for row in rows],
            "Reply": [row.reply_state for row in rows],
            "Why": [row.explanation for row in rows],
            "Author": [author_label(row.platform, row.author, row.author_name) for row in rows],
            "Post": [row.text for row in rows],
            "Status": [row.status for row in rows],
            "Owner": [row.assignee or "-" for row in rows],
            "Channel": [channel_label(row.platform, row.channel) for row in rows],
            "Intent": [row.intent.replace("_", " ") for row in rows],
            "Topics": [", ".join(t.replace("_", " ") for t in row.topics) for row in rows],
            "Language": [language_name(row.language) for row in rows],
            "Reach": [reach_label(row.followers, row.verified) for row in rows],
            "Posts": [row.posts for row in rows],
        }
    )


COLUMNS = {
    " ": st.column_config.TextColumn(" ", width=28),
    "Case": st.column_config.NumberColumn("Case", width=64, format="%d"),
    "Urgency": st.column_config.ProgressColumn(
        "Urgency", min_value=0, max_value=100, format="%.0f", width=90
    ),
    "Due": st.column_config.TextColumn("Due", width=120, help="Live SLA countdown"),
    "Reply": st.column_config.TextColumn("Reply", width=125),
    "Why": st.column_config.TextColumn("Why", width=330, help="What makes it urgent"),
    "Author": st.column_config.TextColumn("Author", width=120),
    "Post": st.column_config.TextColumn("Post", width="large"),
}


def _counts_line(result: QueuePage) -> None:
    counts = result.counts
    per_status = " · ".join(f"{status} {counts.by_status.get(status, 0)}" for status in CaseStatus)
    st.caption(md(
        "**{}** cases match · {} need a first reply · {} breaching within {} min · by status: {}",
        counts.total, counts.needs_first_reply, counts.breaching, f"{BREACH_MINUTES:g}",
        per_status,
    ))  # fmt: skip


def _pager(result: QueuePage) -> None:
    first = (result.page - 1) * result.page_size + 1
    last = first + len(result.rows) - 1
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(
            "◀ Previous", key="queue_prev_page", disabled=result.page <= 1,
            on_click=_turn, args=(-1, result.pages),
        )  # fmt: skip
        st.caption(
            md("Page {} of {} · cases {}-{} of {}", result.page, result.pages, first, last,
               result.counts.total), width="content",
        )  # fmt: skip
        st.button(
            "Next ▶", key="queue_next_page", disabled=result.page >= result.pages,
            on_click=_turn, args=(1, result.pages),
        )  # fmt: skip
        st.selectbox(
            "Rows per page", sizes, index=sizes.index(default_size), key="queue_page_size",
            label_visibility="collapsed", format_func=lambda n: one_line(f"{n} per page"),
            width=160,
        )  # fmt: skip


def _row_actions(cursor: int) -> None:
    """The ▶ row's buttons; the keyboard presses them (browser_scripts.queue_keys)."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("k ↑", key="queue_up", help="Previous row (k)", on_click=_move, args=(-1,))
        st.button("j ↓", key="queue_down", help="Next row (j)", on_click=_move, args=(1,))
        if st.button("Open case", key="queue_open", type="primary", help="Enter"):
            links.open_case(cursor)
        if not may_work:
            return
        if st.button("Reply", key="queue_reply", help="r"):
            links.open_case(cursor, reply=True)
        form = f"claim_{cursor}"  # the same form as the Claim button on the case page
        key = form_key(form)
        if st.button("Claim", key=field(form, "queue")):
            perform(
                lambda s: claim_case(s, actor, cursor, key=key),
                f"Case {cursor} is yours.",
                form=form,
            )
            st.rerun(scope="app")


def queue_table() -> None:
    # A fragment refreshes only the table, so filters, the page and the scroll position are
    # kept. app.py's sign-in check does not run for a fragment: check the session here, so a
    # deactivated or signed-out user's open page stops showing cases.
    require_session()
    shown_before: list[int] = st.session_state.get(SHOWN, [])
    if not bulk:
        clicked = _selected(shown_before)
        if clicked:  # a click on a row opens its case
            st.session_state[TABLE] = st.session_state.get(TABLE, 0) + 1
            links.open_case(clicked[0])
    size = st.session_state.get("queue_page_size", default_size)
    result = read(
        lambda s: queue_page(s, filters, page=st.session_state.get(PAGE, 1), page_size=size)
    )
    st.session_state[PAGE] = result.page
    _counts_line(result)
    if not result.rows:
        st.session_state[SHOWN] = []
        st.info("No cases match. New posts appear here as soon as they arrive.")
        return
    shown = [row.case_id for row in result.rows]
    if st.session_state.get(CURSOR) not in shown:
        st.session_state[CURSOR] = shown[0]
    cursor: int = st.session_state[CURSOR]
    selected = _selected(shown) if bulk else []
    st.session_state[SHOWN] = shown
    st.dataframe(
        table(_frame(result, cursor)),
        hide_index=True,
        column_config=COLUMNS,
        height=38 + 35 * min(len(shown), 20),
        on_select="rerun",
        # Without ticks, a click on any cell of a row opens its case.
        selection_mode="multi-row" if bulk else ["single-row", "single-cell"],
        key=_table_key(shown),
    )
    _pager(result)
    if bulk:
        done = bulk_bar.show(actor, selected)
        if done:
            st.session_state[TABLE] = st.session_state.get(TABLE, 0) + 1
            st.rerun(scope="app")
    else:
        _row_actions(cursor)
        st.caption(md("Click a row to open its case. {} Refreshed every {} s.", KEYS_HELP,
                      f"{REFRESH:g}"))  # fmt: skip
    # The table's own toolbar download is off (app.py): this one is safe for Excel.
    if allowed(actor, Permission.REPORTS_EXPORT):
        st.download_button(
            "Download these cases (CSV, safe for Excel)", queue_csv(actor, result.rows),
            file_name="queue.csv", mime="text/csv", key="queue_download",
        )  # fmt: skip


st.fragment(run_every=None if bulk else REFRESH)(queue_table)()
browser_scripts.queue_keys()
