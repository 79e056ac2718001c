"""Queue: open cases, most urgent first, with why each one ranks where it does."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.actions import field, form_key, perform, show_flash
from dashboard.auth import current_actor, require_session
from dashboard.components.case_picker import CASE
from dashboard.formatting import channel_label, reach_label, sla_label
from dashboard.safe_text import md, one_line, table
from dashboard.state import app_context
from monitor.auth.permissions import allowed
from monitor.cases.actions import claim_case
from monitor.cases.queue import QueueFilters, queue, queue_facets
from monitor.cases.threads import OPEN_STATUSES
from monitor.db.models import CASE_STATUSES
from monitor.reports.queue_export import queue_csv
from monitor.scoring.language import language_name

ctx = app_context()
actor = current_actor()
st.title("Queue")
show_flash()

with ctx.sessions() as session:
    facets = queue_facets(session)

with st.sidebar:
    st.header("Filters")
    platforms = st.multiselect("Platform", facets["platforms"], key="queue_platforms")
    statuses = st.multiselect(
        "Status", list(CASE_STATUSES), default=list(OPEN_STATUSES), key="queue_statuses"
    )
    intents = st.multiselect("Intent", facets["intents"], key="queue_intents")
    topics = st.multiselect(
        "Topic",
        facets["topics"],
        format_func=lambda topic: one_line(topic.replace("_", " ")),
        key="queue_topics",
    )
    languages = st.multiselect(
        "Language",
        facets["languages"],
        format_func=lambda code: one_line(language_name(code)),
        key="queue_languages",
    )
    min_urgency = st.slider("Minimum urgency", 0, 100, 0, key="queue_min_urgency")
    mine = st.checkbox("Assigned to me", key="queue_mine")

filters = QueueFilters(
    platforms=tuple(platforms),
    statuses=tuple(statuses) or OPEN_STATUSES,
    intents=tuple(intents),
    topics=tuple(topics),
    languages=tuple(languages),
    min_urgency=float(min_urgency),
    assignee_id=actor.user_id if mine else None,
)


REFRESH = ctx.settings.dashboard.refresh_seconds


@st.fragment(run_every=REFRESH)
def queue_table() -> None:
    # A fragment refreshes only the table and the case picker, so filters, the chosen case and
    # the page scroll are kept; widget keys keep the user's selection across refreshes.
    # app.py's sign-in check does not run for a fragment: check the session here, so a
    # deactivated or signed-out user's open page stops showing cases.
    require_session()
    with ctx.sessions() as session:
        rows = queue(session, filters, limit=ctx.settings.dashboard.page_size)
    if not rows:
        st.info("No cases match these filters. New posts appear here as soon as they are scored.")
        return
    frame = pd.DataFrame(
        {
            "Case": [row.case_id for row in rows],
            "Urgency": [row.urgency for row in rows],
            "SLA": [sla_label(row.sla_minutes_left()) for row in rows],
            "Channel": [channel_label(row.platform, row.channel) for row in rows],
            "Intent": [row.intent.replace("_", " ") for row in rows],
            "Topics": [", ".join(t.replace("_", " ") for t in row.topics) for row in rows],
            "Language": [language_name(row.language) for row in rows],
            "Author": [row.author for row in rows],
            "Reach": [reach_label(row.followers, row.verified) for row in rows],
            "Post": [row.text for row in rows],
            "Why": [row.explanation for row in rows],
            "Posts": [row.posts for row in rows],
            "Status": [row.status for row in rows],
        }
    )
    st.caption(md("{} most urgent cases; refreshed every {} s", len(rows), f"{REFRESH:g}"))
    st.dataframe(
        table(frame),
        hide_index=True,
        column_config={
            "Urgency": st.column_config.ProgressColumn(
                "Urgency", min_value=0, max_value=100, format="%.0f"
            ),
            "Post": st.column_config.TextColumn("Post", width="large"),
            "Why": st.column_config.TextColumn("Why", width="medium"),
        },
    )
    if allowed(actor, "reports.export"):  # the table's own toolbar download is off (app.py)
        st.download_button(
            "Download these cases (CSV, safe for Excel)", queue_csv(actor, rows),
            file_name="queue.csv", mime="text/csv", key="queue_download",
        )  # fmt: skip
    labels = {row.case_id: f"#{row.case_id} · {row.urgency:.0f} · @{row.author}" for row in rows}
    pick, open_col, claim_col = st.columns([3, 1, 1], vertical_alignment="bottom")
    chosen = pick.selectbox(
        "Case",
        list(labels),
        format_func=lambda case_id: one_line(labels[case_id], 80),
        key="queue_case",
    )
    if open_col.button("Open case", key="queue_open", type="primary"):
        st.session_state[CASE] = chosen
        st.switch_page("views/case.py")
    form = f"claim_{chosen}"  # the same form as the Claim button on the case page
    key = form_key(form)
    if claim_col.button("Claim", key=field(form, "queue")):
        perform(
            lambda s: claim_case(s, actor, chosen, key=key), f"Case {chosen} is yours.", form=form
        )
        st.rerun(scope="app")


queue_table()
