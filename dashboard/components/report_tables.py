"""The Reports page's SLA chart and response-time table, in words and colours a reader
understands at a glance (see COLOURS in dashboard/formatting.py)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.formatting import SLA_OUTCOMES, minutes_label
from dashboard.safe_text import table

MEASURES = {"first response": "First reply", "resolution": "Resolution"}


def sla_chart(sla: pd.DataFrame) -> None:
    """Cases per day by SLA outcome, stacked: met green, missed red, still open grey."""
    long = sla.melt(
        id_vars="day", value_vars=list(SLA_OUTCOMES), var_name="sla", value_name="cases"
    )
    long["outcome"] = long["sla"].map(lambda key: SLA_OUTCOMES[key][0])
    labels = [label for label, _ in SLA_OUTCOMES.values()]
    colours = [colour for _, colour in SLA_OUTCOMES.values()]
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("day:N", title="Day (UTC)"),
            y=alt.Y("cases:Q", title="Cases"),
            color=alt.Color(
                "outcome:N", title="SLA", scale=alt.Scale(domain=labels, range=colours),
                sort=labels,
            ),
            order=alt.Order("sla_order:Q"),
            tooltip=["day", "outcome", "cases"],
        )
        .transform_calculate(
            sla_order=f"indexof({labels!r}, datum.outcome)"
        )
    )  # fmt: skip
    st.altair_chart(chart, use_container_width=True)


def response_times(frame: pd.DataFrame) -> pd.DataFrame:
    """The metrics frame with human headers, durations in words and '—' where no case
    had one yet (instead of 'None')."""
    return table(
        pd.DataFrame(
            {
                "Measure": [MEASURES.get(m, m) for m in frame["measure"]],
                "Cases": frame["cases"].astype(int),
                "Median": [minutes_label(v) for v in frame["median_minutes"]],
                "90th percentile": [minutes_label(v) for v in frame["p90_minutes"]],
            }
        )
    )
