"""Case: the whole conversation, who the customer is, why it is urgent, notes, status, and
resolutions (suggested ones first)."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard.actions import perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.components import (
    case_picker,
    impostor_banner,
    resolution_form,
    thread,
    urgency_chart,
)
from dashboard.formatting import reach_label, sla_label
from dashboard.state import app_context
from monitor.auth.permissions import allowed
from monitor.cases import actions
from monitor.cases.detail import case_detail, user_names
from monitor.cases.order_system import order_system_for
from monitor.cases.orders import linked_orders
from monitor.cases.policy import ACTION_LABELS, money
from monitor.cases.resolutions import request_resolution
from monitor.cases.suggestions import suggest_resolutions
from monitor.db.models import CASE_STATUSES
from monitor.db.types import utcnow
from monitor.impostors.service import case_impostors

ctx = app_context()
actor = current_actor()
policy = ctx.settings.clearance
st.title("Case")
case_id = case_picker.chosen("case_pick")
show_flash()

detail = read(lambda s: case_detail(s, case_id))
orders = read(lambda s: linked_orders(s, case_id))
minutes = None
if detail.sla_due_at is not None:
    minutes = (detail.sla_due_at - utcnow()).total_seconds() / 60
cols = st.columns(5)
cols[0].metric("Urgency", f"{detail.priority:.0f}")
cols[1].metric("Status", detail.status)
cols[2].metric("SLA", sla_label(minutes))
cols[3].metric("Intent", (detail.intent or "other").replace("_", " "))
cols[4].metric("Assigned to", detail.assignee or "nobody")
if not allowed(actor, "case.work"):
    st.info("Your role can read cases but not change them.")
impostors = read(lambda s: case_impostors(s, case_id))
impostor_banner.show("case_impostor", case_id, impostors, actor, ctx.settings.impostors)


def request(
    action: str, order_id: str | None, amount: Decimal | None, reason: str, **details: str
) -> None:
    perform(
        lambda s: request_resolution(
            s, actor, case_id, action, amount=amount, order_id=order_id, reason=reason,
            details=details, policy=policy, order_system=order_system_for(policy.order_system, s),
        ),
        success=lambda o: o.message,
    )  # fmt: skip
    st.rerun()


left, right = st.columns([3, 2])
with left:
    st.subheader("Conversation")
    thread.show(detail.thread, key="case_thread")
with right:
    st.subheader("Author")
    tick = " ✔" if detail.verified else ""
    st.markdown(
        f"**@{detail.author_handle}**{tick} on {detail.platform} · "
        f"{reach_label(detail.followers, detail.verified)} followers"
    )
    if detail.customer:
        known = detail.customer
        st.markdown(f"Customer **{known.name}** · {known.email or '-'} · {known.phone or '-'}")
        st.caption(known.how_known)
    else:
        st.caption("Not linked to a customer yet: see Order linking.")
    st.subheader("Why it is urgent")
    urgency_chart.show(detail.factors, key="case_factors")
    st.caption(detail.explanation)
    for order in orders:
        st.caption(f"Linked order {order.id}: {order.status}, {money(order.value)}")

st.subheader("Work the case")
claim_col, status_col, assign_col = st.columns(3)
if claim_col.button("Claim", key="case_claim"):
    perform(lambda s: actions.claim_case(s, actor, case_id), "Case claimed.")
    st.rerun()
status = status_col.selectbox(
    "Status", CASE_STATUSES, index=CASE_STATUSES.index(detail.status), key="case_status"
)
if status_col.button("Update status", key="case_status_save"):
    perform(lambda s: actions.set_status(s, actor, case_id, status), f"Status set to {status}.")
    st.rerun()
if allowed(actor, "case.assign"):
    names = read(lambda s: user_names(s))
    who = assign_col.selectbox("Assign to", names, key="case_assignee")
    if assign_col.button("Assign", key="case_assign"):
        perform(lambda s: actions.assign_case(s, actor, case_id, who), f"Assigned to {who}.")
        st.rerun()

with st.expander(f"Internal notes ({len(detail.notes)})", expanded=bool(detail.notes)):
    for note in detail.notes:
        st.markdown(f"**{note.author}** · {note.at:%Y-%m-%d %H:%M}: {note.text}")
    text = st.text_area("New note (never sent to the customer)", key="case_note")
    if st.button("Add note", key="case_note_add"):
        perform(lambda s: actions.add_note(s, actor, case_id, text), "Note added.")
        st.rerun()

st.subheader("Resolutions")
suggestions = read(lambda s: suggest_resolutions(s, case_id, policy))
for n, sug in enumerate(suggestions):
    with st.container(border=True):
        amount = f" {money(sug.amount)}" if sug.amount else ""
        st.markdown(f"**Suggested: {ACTION_LABELS[sug.action]}{amount}** · {sug.order_id or ''}")
        st.caption(f"Evidence: {sug.evidence}. Clearance: {', '.join(sug.approvers) or 'nobody'}.")
        if st.button("Request this", key=f"case_suggestion_{n}"):
            request(sug.action, sug.order_id, sug.amount, sug.reason)
wanted = resolution_form.show("case_resolution", orders, policy.specialist_teams)
if wanted is not None:
    request(wanted.action, wanted.order_id, wanted.amount, wanted.reason, **wanted.details)
for r in detail.resolutions:
    amount = f" {money(r.amount)}" if r.amount else ""
    decided = f" by {r.decided_by}" if r.decided_by else ""
    why = f" ({r.decision_reason})" if r.decision_reason else ""
    st.markdown(
        f"- #{r.id} **{ACTION_LABELS[r.action]}{amount}** {r.order_id or ''} · "
        f"requested by {r.requested_by} · **{r.status.replace('_', ' ')}**{decided}{why}"
    )
