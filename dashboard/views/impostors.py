"""Impostors: accounts seen posing as the brand under customers' posts, and the export the
platform's trust-and-safety team needs."""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard.actions import read, show_flash
from dashboard.auth import current_actor
from monitor.auth.permissions import allowed
from monitor.errors import UserFacingError
from monitor.impostors.export import impostor_export_bytes
from monitor.impostors.service import impostor_accounts

actor = current_actor()
st.title("Impostors")
show_flash()
accounts = read(impostor_accounts)
if not accounts:
    st.info("No impostor replies recorded yet.")
    st.stop()

st.caption(
    f"{len(accounts)} accounts replied to our customers posing as us. Report them on the "
    "platform; the Report account button on a case records who did it."
)
# st.dataframe shows every cell as plain text: hostile handles cannot inject markup.
st.dataframe(
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
            "reported": f"{a.reported_at:%Y-%m-%d} by {a.reported_by}" if a.reported_at else "",
        }
        for a in accounts
    ],
    hide_index=True,
    use_container_width=True,
    key="impostors_table",
)

if allowed(actor, "reports.export"):
    left, right = st.columns(2)
    for column, fmt, mime in (
        (left, "csv", "text/csv"),
        (right, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        try:
            data = read(partial(impostor_export_bytes, actor=actor, fmt=fmt))
        except UserFacingError as exc:
            column.error(str(exc))
            continue
        column.download_button(
            f"Download {fmt.upper()} for trust and safety",
            data,
            file_name=f"impostors.{fmt}",
            mime=mime,
            key=f"impostors_{fmt}",
        )
else:
    st.caption("Exports need the analyst, supervisor or admin role.")
