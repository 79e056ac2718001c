"""Who else is on this case: refreshed on its own every few seconds, and each refresh is
also this page's heartbeat, so the others see us for as long as the page stays open."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard.auth import require_session
from dashboard.safe_text import md
from dashboard.state import app_context
from monitor.cases.presence import Presence, others_here, touch
from monitor.db.engine import transaction
from monitor.db.types import utcnow

HEARTBEAT = timedelta(seconds=15)


def line(others: list[Presence]) -> str:
    """'sue (supervisor) is writing a reply; bob (agent) has it open'."""
    parts = []
    for p in others:
        seconds = max(int((utcnow() - p.seen_at).total_seconds()), 0)
        ago = "now" if seconds < 20 else f"{seconds} s ago"
        doing = "is writing a reply" if p.typing else "has it open"
        parts.append(f"{p.username} ({p.role}) {doing} ({ago})")
    return "; ".join(parts)


@st.fragment(run_every=HEARTBEAT)
def show(case_id: int) -> None:
    actor = require_session()
    with transaction(app_context().sessions) as session:
        touch(session, actor, case_id)
        others = others_here(session, actor, case_id)
    if not others:
        st.caption("Nobody else has this case open.")
        return
    if any(p.typing for p in others):
        st.warning(md("Someone else is answering this case: {}.", line(others)), icon="✍️")
    else:
        st.info(md("Also on this case: {}.", line(others)), icon="👀")
