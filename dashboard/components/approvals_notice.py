"""The approvals waiting for the signed-in person: a count for the menu and a notice, on
whatever page they are, the first time each new request appears (see monitor/cases/approvals)."""

from __future__ import annotations

import streamlit as st

from dashboard.actions import read
from dashboard.safe_text import md
from dashboard.state import app_context
from monitor.auth.permissions import Actor, allowed
from monitor.cases.approvals import waiting_for
from monitor.cases.policy import ACTION_LABELS
from monitor.vocab import Permission
from monitor.wording import money

SEEN = "approvals_seen"  # request ids the person was already told about


def show(actor: Actor) -> int:
    """How many requests `actor` could approve now; toasts the ones not announced before."""
    if not allowed(actor, Permission.RESOLUTION_APPROVE):
        return 0
    policy = app_context().settings.clearance
    waiting = read(lambda s: waiting_for(s, actor, policy))
    seen: set[int] = st.session_state.setdefault(SEEN, set())
    new = [r for r in waiting if r.id not in seen]
    if len(new) > 3:
        st.toast(md("{} requests wait for your approval: see Approvals.", len(new)), icon="🔔")
    else:
        for r in new:
            amount = f" of {money(r.amount)}" if r.amount else ""
            st.toast(
                md(
                    "Waiting for your approval: {}{} on case {} (#{}).",
                    ACTION_LABELS[r.action], amount, r.case_id, r.id,
                ),
                icon="🔔",
            )  # fmt: skip
    seen.update(r.id for r in new)
    return len(waiting)
