"""Why a case ranks where it does: each factor's points on the 0-100 urgency scale."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st


def show(factors: dict[str, float], key: str) -> None:
    if not factors:
        st.caption("Not scored yet.")
        return
    frame = pd.DataFrame(
        {"factor": [k.replace("_", " ") for k in factors], "points": list(factors.values())}
    ).sort_values("points", ascending=False)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("points:Q", title="points of urgency"),
            y=alt.Y("factor:N", sort="-x", title=None),
            tooltip=["factor", alt.Tooltip("points:Q", format=".1f")],
        )
        .properties(height=28 * len(frame) + 20)
    )
    st.altair_chart(chart, key=key)
