"""Connectors: is each source polling, how far behind (lag and backlog), how much rate-limit
budget is left, and when its token expires; read from what the scheduler last recorded."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.actions import read
from dashboard.auth import current_actor
from dashboard.formatting import duration_label
from dashboard.safe_text import md, plain, table
from monitor.connectors import source_health

current_actor()
st.title("Connectors")
rows = read(source_health)
if not rows:
    st.info("No source has polled yet: configure sources and start `monitor run`.")
    st.stop()
icons = {"ok": "🟢", "warning": "🟠", "failing": "🔴"}


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "-"


frame = pd.DataFrame(
    {
        "Source": [r.name for r in rows],
        "Platform": [r.platform for r in rows],
        "State": [f"{icons[r.state]} {r.state}" for r in rows],
        "Last success (UTC)": [_when(r.last_success_at) for r in rows],
        "Lag": [duration_label(r.lag_seconds) for r in rows],
        "Items last poll": [r.items_last_poll for r in rows],
        "Backlog": [r.backlog_text for r in rows],
        "Rate-limit budget": [r.budget for r in rows],
        "Token expires": [_when(r.token_expires_at) for r in rows],
        "Problems": ["; ".join(r.problems) or "-" for r in rows],
    }
)
st.dataframe(table(frame), hide_index=True)
for r in rows:
    if r.last_error:
        st.caption(md("{}: last error at {}:", r.name, _when(r.last_error_at)))
        st.code(plain(r.last_error, 2000), language=None, wrap_lines=True)
