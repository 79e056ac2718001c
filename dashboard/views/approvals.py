"""Approvals: resolutions waiting for someone with more clearance. Approve shows only on the
requests your clearance covers today (the service checks again); the others say who can.
Each request says in one sentence why it waits, and opens its case.

Approving and rejecting one resolution share the submission key "decide:<id>": whichever
click, tab or approver comes first decides it, and every later one is told it was done."""

from __future__ import annotations

import streamlit as st

from dashboard.actions import late_clicks, perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.components.case_picker import CASE
from dashboard.order_calls import send_now
from dashboard.safe_text import md
from dashboard.state import app_context
from monitor.cases.approvals import approvals_for
from monitor.cases.order_system import order_system_for
from monitor.cases.policy import ACTION_LABELS
from monitor.cases.resolutions import APPROVED, approve_resolution, reject_resolution
from monitor.wording import money

ctx = app_context()
policy = ctx.settings.clearance
actor = current_actor()
st.title("Approvals")
show_flash()


def decision_key(resolution_id: int) -> str:
    return f"decide:resolution-{resolution_id}"


def approve_one(resolution_id: int, reason: str) -> None:
    outcome = perform(
        lambda s: approve_resolution(
            s, actor, resolution_id, policy=policy, reason=reason,
            key=decision_key(resolution_id),
            order_system=order_system_for(policy.order_system, s),
        ),
        success=lambda outcome: outcome.message,
    )  # fmt: skip
    if outcome is not None and outcome.resolution.status == APPROVED:
        st.session_state["flash"] = ("success", f"{outcome.message}; {send_now(resolution_id)}")
    st.rerun()


def reject_one(resolution_id: int, reason: str) -> None:
    perform(
        lambda s: reject_resolution(
            s, actor, resolution_id, reason, key=decision_key(resolution_id)
        ),
        f"Resolution #{resolution_id} rejected.",
    )
    st.rerun()


requests = read(lambda s: approvals_for(s, actor, policy))
pending = [w.request for w in requests]
drawn = {f"approve_{w.request.id}": ("approve", w.request.id) for w in requests if w.can_approve}
drawn |= {f"reject_{r.id}": ("reject", r.id) for r in pending if r.requested_by_id != actor.user_id}
for verb, late in late_clicks("approvals", drawn):  # decided in another tab or by someone else
    if verb == "approve":
        approve_one(late, "")
    reject_one(late, str(st.session_state.get(f"approval_reason_{late}", "")))
if not pending:
    st.info("Nothing is waiting for approval.")
else:
    mine = sum(w.can_approve for w in requests)
    st.caption(md("{} waiting, {} of them for you.", len(pending), mine))
for w in requests:
    r = w.request
    with st.container(border=True):
        amount = f" {money(r.amount)}" if r.amount else ""
        order = f" · order {r.order_id} worth {money(r.order_value)}" if r.order_id else ""
        head, status = st.columns([4, 1])
        head.markdown(
            md("**#{} {}{}** on case {}{}", r.id, ACTION_LABELS[r.action], amount, r.case_id, order)
        )
        status.badge("Waiting for approval", color="gray")
        st.markdown(md("{}", w.why))
        st.caption(
            md(
                "Requested by {} at {} UTC · reason: {}",
                r.requested_by, f"{r.requested_at:%Y-%m-%d %H:%M}", r.reason or "-",
            )
        )  # fmt: skip
        if r.details:
            st.caption(md("{}", ", ".join(f"{k}: {v}" for k, v in r.details.items())))
        if st.button("Open case", key=f"approval_case_{r.id}"):
            st.session_state[CASE] = r.case_id
            st.switch_page("views/case.py")
        if not w.can_approve:
            st.caption(md("You cannot approve this: {}.", w.needs))
        if f"reject_{r.id}" not in drawn:
            continue
        reason = st.text_input("Reason (required to reject)", key=f"approval_reason_{r.id}")
        approve, reject = st.columns(2)
        if w.can_approve and approve.button("Approve", key=f"approve_{r.id}", type="primary"):
            approve_one(r.id, reason)
        if reject.button("Reject", key=f"reject_{r.id}"):
            reject_one(r.id, reason)
