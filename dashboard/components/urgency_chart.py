"""Why a case ranks where it does: each factor's points on the 0-100 urgency scale, every
bar named in the team's words and labelled with its points."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.formatting import factor_label


def frame(factors: dict[str, float]) -> pd.DataFrame:
    """One row per factor, biggest first, with the label each bar shows."""
    rows = pd.DataFrame(
        {
            "factor": [factor_label(name) for name in factors],
            "points": [round(float(v), 1) for v in factors.values()],
        }
    )
    return rows.sort_values("points", ascending=False, kind="stable").reset_index(drop=True)


def show(factors: dict[str, float], key: str) -> None:
    if not factors:
        st.caption("Not scored yet.")
        return
    data = frame(factors)
    y = alt.Y(
        "factor:N", sort=list(data["factor"]), title=None,
        # Every bar keeps its name: no label is dropped for overlapping or cut short.
        axis=alt.Axis(labelOverlap=False, labelLimit=240, labelFontSize=13),
    )  # fmt: skip
    base = alt.Chart(data).encode(y=y, x=alt.X("points:Q", title="points of urgency"))
    bars = base.mark_bar()
    values = base.mark_text(align="left", dx=4, fontSize=12).encode(
        text=alt.Text("points:Q", format=".1f")
    )
    chart = (bars + values).properties(height=26 * len(data) + 30)
    st.altair_chart(chart, key=key, width="stretch")
