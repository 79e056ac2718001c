"""Impostors: accounts seen posing as the brand under customers' posts, and the export the
platform's trust-and-safety team needs."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard.actions import read, show_flash
from dashboard.auth import current_actor
from dashboard.safe_text import md, table
from monitor.auth.permissions import allowed
from monitor.errors import UserFacingError
from monitor.impostors.export import impostor_export_bytes
from monitor.impostors.service import impostor_accounts
from monitor.vocab import Permission

actor = current_actor()
st.title("Impostors")
show_flash()
accounts = read(impostor_accounts)
if not accounts:
    st.info("No impostor replies recorded yet.")
    st.stop()

st.caption(
    md(
        "{} accounts replied to our customers posing as us. Report them on the platform; the "
        "Report account button on a case records who did it.",
        len(accounts),
    )
)
# st.dataframe shows every cell as plain text; table() also marks bidi and invisible characters.
st.dataframe(
    table(
        pd.DataFrame(
            [
                {
                    "platform": a.platform,
                    "handle": f"@{a.handle}",
                    "display name": a.display_name or "",
                    "replies": a.replies,
                    "top score": round(a.top_score),
                    "first seen (UTC)": f"{a.first_seen:%Y-%m-%d %H:%M}",
                    "last seen (UTC)": f"{a.last_seen:%Y-%m-%d %H:%M}",
                    "cases": ", ".join(f"#{c}" for c in a.case_ids),
                    "lures": ", ".join(a.lures),
                    "reported": f"{a.reported_at:%Y-%m-%d} by {a.reported_by}"
                    if a.reported_at
                    else "",
                }
                for a in accounts
            ]
        )
    ),
    hide_index=True,
    use_container_width=True,
    key="impostors_table",
)

if allowed(actor, Permission.REPORTS_EXPORT):
    left, right = st.columns(2)
    for column, fmt, mime in (
        (left, "csv", "text/csv"),
        (right, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        try:
            data = read(partial(impostor_export_bytes, actor=actor, fmt=fmt))
        except UserFacingError as exc:
            column.error(md("{}", exc, limit=1000))
            continue
        column.download_button(
            md("Download {} for trust and safety", fmt.upper()),
            data,
            file_name=f"impostors.{fmt}",
            mime=mime,
            key=f"impostors_{fmt}",
        )
else:
    st.caption("Exports need the analyst, supervisor or admin role.")
