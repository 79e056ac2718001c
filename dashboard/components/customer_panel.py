"""Who wrote: the author, the customer they are linked to, and that person's other cases,
each of which opens in place."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components import case_picker
from dashboard.formatting import author_label, human, platform_label, reach_label
from dashboard.safe_text import handle, md, plain
from monitor.cases.detail import CaseDetail
from monitor.cases.history import PastCase


def show(detail: CaseDetail, history: list[PastCase]) -> None:
    name = author_label(detail.platform, detail.author_handle, detail.author_name)
    shown = handle(detail.author_handle) if name.startswith("@") else md("{}", name)
    tick = " ✔ verified" if detail.verified else ""
    st.markdown(
        md("{} on {} · {} followers{}", shown, platform_label(detail.platform),
           reach_label(detail.followers, False), tick)
    )  # fmt: skip
    if detail.author_name and name.startswith("@") and detail.author_name != detail.author_handle:
        st.caption(md("Display name: {}", detail.author_name))
    if detail.customer:
        known = detail.customer
        st.markdown(
            md("Customer **{}** · {} · {}", known.name, known.email or "-", known.phone or "-")
        )
        st.caption(md("{}", known.how_known))
    else:
        st.caption("Not linked to a customer yet: see Orders.")
    st.markdown(md("**Earlier cases ({})**", len(history)))
    if not history:
        st.caption("No other case from this person.")
        return
    table = pd.DataFrame(
        {
            "Case": [f"#{p.id}" for p in history],
            "Opened (UTC)": [f"{p.opened_at:%Y-%m-%d}" for p in history],
            "Via": [
                plain(f"{author_label(p.platform, p.handle, None)} on {platform_label(p.platform)}")
                for p in history
            ],
            "About": [human(p.intent or "other") for p in history],
            "Status": [human(p.status) for p in history],
            "Outcome": [plain(p.outcome) for p in history],
        }
    )
    st.dataframe(table, hide_index=True, key=f"history_{detail.id}")
    cols = st.columns(min(len(history), 6))
    for n, past in enumerate(history[:6]):
        cols[n].button(
            md("Open #{}", past.id), key=f"history_open_{detail.id}_{past.id}",
            on_click=case_picker.open_case, args=(past.id,),
        )  # fmt: skip
