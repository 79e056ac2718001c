"""Alerts: every alert the rules raised, where it went and whether it arrived."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard.actions import FLASH, perform_calling_out, read, show_flash
from dashboard.auth import current_actor
from dashboard.safe_text import md, table
from dashboard.state import app_context
from monitor.alerts.records import STATUSES, alert_counts, recent_alerts, send_test_alert
from monitor.auth.permissions import allowed
from monitor.config import RULES
from monitor.db.types import utcnow
from monitor.vocab import Permission

ctx = app_context()
actor = current_actor()
st.title("Alerts")
show_flash()
routes = [route.name for route in ctx.settings.alerts.routes]
if not routes:
    st.info("No alert route is configured: add [[alerts.routes]] to the config to send alerts.")

with st.sidebar:
    st.header("Filters")
    statuses = st.multiselect("Status", list(STATUSES), key="alerts_statuses")
    rules = st.multiselect("Rule", [*RULES, "test"], key="alerts_rules")
    limit = st.number_input("Show", 10, 1000, 100, step=10, key="alerts_limit")

counts = read(lambda s: alert_counts(s, utcnow() - timedelta(hours=24)))
rows = read(lambda s: recent_alerts(s, limit=int(limit), statuses=statuses, rules=rules))

columns = st.columns(len(counts))
for column, (status, count) in zip(columns, counts.items(), strict=True):
    column.metric(md("{} (24 h)", status), md("{}", count))

if rows:
    st.dataframe(
        table(
            pd.DataFrame(
                {
                    "Created (UTC)": [f"{r.created_at:%Y-%m-%d %H:%M}" for r in rows],
                    "Rule": [r.rule for r in rows],
                    "Route": [r.route for r in rows],
                    "Status": [r.status for r in rows],
                    "Attempts": [r.attempts for r in rows],
                    "Case": [r.case_id for r in rows],
                    "Alert": [r.title for r in rows],
                    "Error": [r.error or "" for r in rows],
                }
            )
        ),
        hide_index=True,
    )
else:
    st.info("No alerts match these filters.")

if routes and allowed(actor, Permission.ALERTS_MANAGE):
    st.subheader("Test a route")
    route = st.selectbox("Route", routes, key="alerts_test_route")
    if st.button("Send test message", key="alerts_send_test"):
        result = perform_calling_out(
            lambda sessions: send_test_alert(sessions, ctx.settings, actor, str(route))
        )
        if result is not None and result.ok:
            st.session_state[FLASH] = (
                "success",
                f"Test message sent through {result.route} ({result.target}).",
            )
        elif result is not None:
            st.session_state[FLASH] = (
                "error",
                f"{result.route} ({result.target}) failed: {result.error}",
            )
        st.rerun()
