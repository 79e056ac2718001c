"""The Queue's bulk bar: claim, assign or close the ticked cases, then say which were
changed and which were not, and why (monitor/cases/bulk.py checks each case)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.actions import FLASH, check_session, field, form_done, form_key, read
from dashboard.safe_text import md, one_line, table
from dashboard.state import app_context
from monitor.auth.accounts import list_users
from monitor.auth.permissions import Actor, allowed
from monitor.cases.bulk import BulkAction, BulkResult, bulk_cases
from monitor.errors import UserFacingError
from monitor.vocab import Permission, Role

FORM = "queue_bulk"
RESULT = "queue_bulk_result"


def _assignable() -> list[str]:
    users = read(list_users)
    return [u.username for u in users if u.active and u.role != Role.ANALYST]


def show(actor: Actor, selected: list[int]) -> bool:
    """Draws the bar for the ticked `selected` case ids; True after an action ran (the page
    then clears the ticks)."""
    key = form_key(FORM)
    st.caption(md("{} selected", len(selected)))
    cols = st.columns([2, 3, 2, 2], vertical_alignment="bottom")
    action: BulkAction | None = None
    assignee = None
    if cols[0].button("Claim selected", key=field(FORM, "claim"), disabled=not selected):
        action = "claim"
    if allowed(actor, Permission.CASE_ASSIGN):
        assignee = cols[1].selectbox(
            "Assign to", _assignable(), index=None, key=field(FORM, "who"),
            format_func=one_line, placeholder="Choose a person",
        )  # fmt: skip
        if cols[2].button("Assign selected", key=field(FORM, "assign"), disabled=not selected):
            action = "assign"
    if cols[3].button("Close selected", key=field(FORM, "close"), disabled=not selected):
        action = "close"
    if action is not None:
        try:
            result = bulk_cases(
                app_context().sessions, actor, action, selected, key=key, assignee=assignee,
                check=check_session,
            )  # fmt: skip
        except UserFacingError as exc:
            st.session_state[FLASH] = ("error", str(exc))
            return True
        form_done(FORM)
        st.session_state[RESULT] = result
        st.session_state[FLASH] = ("warning" if result.refused else "success", result.summary())
        return True
    _last_result()
    return False


def _last_result() -> None:
    result: BulkResult | None = st.session_state.get(RESULT)
    if result is None or not result.refused:
        return
    st.caption("Not changed by the last bulk action:")
    frame = pd.DataFrame(
        {
            "Case": [o.case_id for o in result.refused],
            "Why not": [o.message for o in result.refused],
        }
    )
    st.dataframe(table(frame), hide_index=True, key="queue_bulk_refused")
    if st.button("Dismiss", key="queue_bulk_dismiss"):
        st.session_state.pop(RESULT, None)
        st.rerun()
