"""Reports: volume, urgency, SLA, response times, resolutions and spikes, with downloads."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import streamlit as st

from dashboard.actions import perform_calling_out, read, show_flash
from dashboard.auth import current_actor
from dashboard.components import report_tables
from dashboard.safe_text import md, table
from dashboard.state import app_context
from monitor.auth.permissions import allowed
from monitor.db.types import utcnow
from monitor.reports import metrics
from monitor.reports.export import FORMATS, ExportResult, Format, export_report
from monitor.vocab import Permission, SlaOutcome

ctx = app_context()
actor = current_actor()
st.title("Reports")
show_flash()
today = utcnow().date()
period = st.date_input(
    "Period (UTC days)", (today - timedelta(days=6), today), max_value=today, key="reports_period"
)
first, last = (period[0], period[-1]) if isinstance(period, tuple) and period else (today, today)
assert isinstance(first, date) and isinstance(last, date)
since = datetime.combine(first, time.min, UTC)
until = datetime.combine(last + timedelta(days=1), time.min, UTC)

volume = read(lambda s: metrics.volume_by_hour(s, since, until))
urgency = read(lambda s: metrics.urgency_distribution(s, since, until))
intents = read(lambda s: metrics.top_intents(s, since, until))
amounts = read(lambda s: metrics.resolution_amounts(s, since, until))
spikes = read(lambda s: metrics.spike_incidents(s, since, until))
cases = read(lambda s: metrics.case_frame(s, ctx.settings, since, until, utcnow()))

if volume.empty:
    st.info("No posts in this period. Pick another period or load data (`monitor demo`).")
    st.stop()

left, middle, right = st.columns(3)
left.metric("Posts", md("{}", int(volume.posts.sum())))
middle.metric("Cases", md("{}", len(cases)))
decided = cases[cases.sla.isin([SlaOutcome.MET, SlaOutcome.MISSED])]
met = f"{(decided.sla == SlaOutcome.MET).mean():.0%}" if len(decided) else "-"
right.metric("SLA met", md("{}", met))

st.subheader("Volume by hour and channel")
st.line_chart(volume.pivot_table(index="hour", columns="channel", values="posts", fill_value=0))
col1, col2 = st.columns(2)
with col1:
    st.subheader("Urgency")
    st.bar_chart(urgency.set_index("band"))
with col2:
    st.subheader("Top intents")
    st.bar_chart(intents.set_index("intent"))
st.subheader("SLA compliance by day")
sla = metrics.sla_compliance(cases)
if sla.empty:
    st.caption("No cases in this period.")
else:
    report_tables.sla_chart(sla)
st.subheader("Time to first reply and to resolution")
st.dataframe(report_tables.response_times(metrics.response_times(cases)), hide_index=True)
st.subheader("Resolutions by type and approver")
if amounts.empty:
    st.caption("No resolutions in this period.")
else:
    st.bar_chart(amounts, x="type", y="amount", color="approver")
    st.dataframe(table(amounts), hide_index=True)
st.subheader("Spikes")
if spikes.empty:
    st.caption("No volume spikes were alerted in this period.")
else:
    st.dataframe(table(spikes), hide_index=True)

st.subheader("Download")
if not allowed(actor, Permission.REPORTS_EXPORT):
    st.caption("Exports need the analyst, supervisor or admin role.")
    st.stop()
fmt = st.selectbox("Format", FORMATS, key="reports_format")


def export(fmt: Format) -> ExportResult | None:
    """Write the export into a temporary folder and keep its bytes for the download buttons."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"escalations-{first}-{last}.{fmt}"
        result = perform_calling_out(
            lambda sessions: export_report(sessions, ctx.settings, actor, fmt, target, since, until)
        )
        if result is not None:
            st.session_state["reports_files"] = [(p.name, p.read_bytes()) for p in result.paths]
    return result


if st.button("Prepare export", key="reports_prepare") and export(fmt) is None:
    st.rerun()  # shows why at the top
for name, data in st.session_state.get("reports_files", []):
    st.download_button(md("Download {}", name), data, file_name=name, key=f"reports_dl_{name}")
