"""Case: the whole conversation, who the customer is, why it is urgent, notes, status, and
resolutions (suggested ones first)."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard import links
from dashboard.actions import field, form_key, late_clicks, perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.components import (
    case_picker,
    impostor_banner,
    resolution_form,
    thread,
    urgency_chart,
)
from dashboard.formatting import reach_label, sla_label
from dashboard.order_calls import send_now
from dashboard.safe_text import escape, handle, md, one_line, plain
from dashboard.state import app_context
from monitor.auth.permissions import allowed
from monitor.cases import actions, feedback
from monitor.cases.detail import ResolutionView, case_detail, user_names
from monitor.cases.execution import retry_execution
from monitor.cases.order_system import order_system_for
from monitor.cases.orders import linked_orders
from monitor.cases.policy import ACTION_LABELS, approver_roles
from monitor.cases.replies import confirm_reply_posted, retry_reply
from monitor.cases.resolutions import APPROVED, request_resolution
from monitor.cases.suggestions import SuggestedResolution, suggest_resolutions
from monitor.db.models import CASE_STATUSES
from monitor.db.types import utcnow
from monitor.impostors.service import case_impostors
from monitor.scoring.language import language_name
from monitor.scoring.topics import TOPICS
from monitor.wording import money

ctx = app_context()
actor = current_actor()
policy = ctx.settings.clearance
st.title("Case")
case_id = case_picker.chosen("case_pick")
links.show_case_link(case_id)
show_flash()

detail = read(lambda s: case_detail(s, case_id))
orders = read(lambda s: linked_orders(s, case_id))
minutes = None
if detail.sla_due_at is not None:
    minutes = (detail.sla_due_at - utcnow()).total_seconds() / 60
cols = st.columns(5)
cols[0].metric("Urgency", md("{}", f"{detail.priority:.0f}"))
cols[1].metric("Status", escape(detail.status))
cols[2].metric("SLA", escape(sla_label(minutes)))
cols[3].metric("Intent", escape((detail.intent or "other").replace("_", " ")))
cols[4].metric("Assigned to", escape(detail.assignee or "nobody"))
if not allowed(actor, "case.work"):
    st.info("Your role can read cases but not change them.")
impostors = read(lambda s: case_impostors(s, case_id))
impostor_banner.show("case_impostor", case_id, impostors, actor, ctx.settings.impostors)


def request(
    form: str,
    key: str,
    action: str,
    order_id: str | None,
    amount: Decimal | None,
    reason: str,
    **details: str,
) -> None:
    outcome = perform(
        lambda s: request_resolution(
            s, actor, case_id, action, key=key, amount=amount, order_id=order_id, reason=reason,
            details=details, policy=policy, order_system=order_system_for(policy.order_system, s),
        ),
        success=lambda o: o.message,
        form=form,
    )  # fmt: skip
    if outcome is not None and outcome.resolution.status == APPROVED:
        st.session_state["flash"] = (
            "success",
            f"{outcome.message}; {send_now(outcome.resolution.id)}",
        )
    st.rerun()


def suggestion_key(sug: SuggestedResolution) -> str:
    """Derived from what the suggestion does and from the case's resolutions as drawn: two tabs
    (or two people) clicking the same suggestion make one submission, never two."""
    amount = f"{sug.amount:.2f}" if sug.amount is not None else "-"
    return (
        f"suggest:{case_id}:{sug.order_id or '-'}:{sug.action}:{amount}:{len(detail.resolutions)}"
    )


left, right = st.columns([3, 2])
with left:
    st.subheader("Conversation")
    thread.show(detail.thread, key="case_thread")
with right:
    st.subheader("Author")
    tick = " ✔" if detail.verified else ""
    st.markdown(
        md(
            "{}{} on {} · {} followers", handle(detail.author_handle), tick, detail.platform,
            reach_label(detail.followers, detail.verified),
        )
    )  # fmt: skip
    if detail.author_name and detail.author_name != detail.author_handle:
        st.caption(md("Display name: {}", detail.author_name))
    if detail.customer:
        known = detail.customer
        st.markdown(
            md("Customer **{}** · {} · {}", known.name, known.email or "-", known.phone or "-")
        )
        st.caption(md("{}", known.how_known))
    else:
        st.caption("Not linked to a customer yet: see Order linking.")
    st.subheader("Why it is urgent")
    urgency_chart.show(detail.factors, key="case_factors")
    st.caption(md("{}", detail.explanation))
    topics = ", ".join(t.replace("_", " ") for t in detail.topics) or "none"
    st.text(plain(f"Topics: {topics} · Language: {language_name(detail.language)}"))
    for order in orders:
        st.caption(md("Linked order {}: {}, {}", order.id, order.status, money(order.value)))

st.subheader("Work the case")
claim_col, status_col, assign_col = st.columns(3)
claim = form_key(f"claim_{case_id}")
if claim_col.button("Claim", key=field(f"claim_{case_id}", "go")):
    perform(
        lambda s: actions.claim_case(s, actor, case_id, key=claim), "Case claimed.",
        form=f"claim_{case_id}",
    )  # fmt: skip
    st.rerun()
change = form_key(f"status_{case_id}")
status = status_col.selectbox(
    "Status", CASE_STATUSES, index=CASE_STATUSES.index(detail.status),
    key=field(f"status_{case_id}", "status"),
)  # fmt: skip
if status_col.button("Update status", key=field(f"status_{case_id}", "go")):
    perform(
        lambda s: actions.set_status(s, actor, case_id, status, key=change),
        f"Status set to {status}.", form=f"status_{case_id}",
    )  # fmt: skip
    st.rerun()
if allowed(actor, "case.assign"):
    names = read(lambda s: user_names(s))
    give = form_key(f"assign_{case_id}")
    who = assign_col.selectbox(
        "Assign to", names, format_func=one_line, key=field(f"assign_{case_id}", "who")
    )
    if assign_col.button("Assign", key=field(f"assign_{case_id}", "go")):
        perform(
            lambda s: actions.assign_case(s, actor, case_id, who, key=give),
            f"Assigned to {who}.", form=f"assign_{case_id}",
        )  # fmt: skip
        st.rerun()

with st.expander("Teach the model", expanded=False):
    learned = read(lambda s: feedback.case_feedback(s, case_id))
    for line in learned:
        st.text(plain(line))
    pick_col, fix_col = st.columns([3, 1], vertical_alignment="bottom")
    current = detail.intent if detail.intent in TOPICS else "other"
    right_intent = pick_col.selectbox(
        "Right intent",
        TOPICS,
        index=TOPICS.index(current),
        format_func=lambda topic: one_line(topic.replace("_", " ")),
        key="case_right_intent",
    )
    if fix_col.button("Correct intent", key="case_correct_intent"):
        perform(
            lambda s: feedback.correct_intent(s, actor, case_id, right_intent),
            f"Intent set to {right_intent.replace('_', ' ')}; the model will learn from it.",
        )
        st.rerun()
    more_col, less_col = st.columns(2)
    if more_col.button("More urgent", key="case_more_urgent"):
        perform(lambda s: feedback.rate_urgency(s, actor, case_id, 1), "Noted: more urgent.")
        st.rerun()
    if less_col.button("Less urgent", key="case_less_urgent"):
        perform(lambda s: feedback.rate_urgency(s, actor, case_id, -1), "Noted: less urgent.")
        st.rerun()

with st.expander(md("Internal notes ({})", len(detail.notes)), expanded=bool(detail.notes)):
    for note in detail.notes:
        st.caption(md("**{}** · {}", note.author, f"{note.at:%Y-%m-%d %H:%M} UTC"))
        st.text(plain(note.text))
    write = form_key(f"note_{case_id}")
    text = st.text_area(
        "New note (never sent to the customer)", key=field(f"note_{case_id}", "text")
    )
    if st.button("Add note", key=field(f"note_{case_id}", "go")):
        perform(
            lambda s: actions.add_note(s, actor, case_id, text, key=write), "Note added.",
            form=f"note_{case_id}",
        )  # fmt: skip
        st.rerun()


def reply_actions(outbox_id: int, unknown: bool) -> None:
    """Send a failed or unknown reply again, or record an unknown one found on the platform."""
    form = f"resend_{outbox_id}"
    key = form_key(form)
    again, posted = st.columns(2)
    if again.button("Send again", key=field(form, "go")):
        perform(
            lambda s: retry_reply(s, actor, outbox_id, key=key), "Reply queued again.", form=form
        )
        st.rerun()
    if unknown and posted.button("It was posted", key=field(form, "posted")):
        perform(
            lambda s: confirm_reply_posted(s, actor, outbox_id, key=key),
            "Reply recorded as posted.", form=form,
        )  # fmt: skip
        st.rerun()


failed = [item for item in detail.thread if item.status in ("failed", "unknown")]
if failed:
    st.subheader("Replies that did not go out")
for item in failed:
    with st.container(border=True):
        if item.status == "unknown":
            st.warning(
                md(
                    "Reply #{} may or may not have been posted: the sender stopped mid-send. "
                    "Check the platform before sending it again.",
                    item.outbox_id,
                )
            )
        else:
            st.error(md("Reply #{} failed for good.", item.outbox_id))
        # Upstream error bodies and reply text are shown as plain text, never as Markdown.
        st.text(plain(f"Reason: {item.error or 'none given'}\nReply: {item.text}", 3000))
        if allowed(actor, "case.work"):
            reply_actions(item.outbox_id or 0, item.status == "unknown")

st.subheader("Resolutions")
suggestions = read(lambda s: suggest_resolutions(s, case_id, policy))
drawn = {f"case_{suggestion_key(sug)}": (suggestion_key(sug), sug) for sug in suggestions}
for key, late in late_clicks(f"suggestions_{case_id}", drawn):
    request("", key, late.action, late.order_id, late.amount, late.reason)
for sug in suggestions:
    with st.container(border=True):
        amount = f" {money(sug.amount)}" if sug.amount else ""
        st.markdown(
            md("**Suggested: {}{}** · {}", ACTION_LABELS[sug.action], amount, sug.order_id or "")
        )
        clearance = ", ".join(sug.approvers) or "nobody"
        st.caption(md("Evidence: {}. Clearance: {}.", sug.evidence, clearance))
        key = suggestion_key(sug)
        if st.button("Request this", key=f"case_{key}"):
            request("", key, sug.action, sug.order_id, sug.amount, sug.reason)
form = f"resolution_{case_id}"
wanted = resolution_form.show(form, orders, policy.specialist_teams)
if wanted is not None:
    request(
        form, form_key(form), wanted.action, wanted.order_id, wanted.amount, wanted.reason,
        **wanted.details,
    )  # fmt: skip


def retry(r: ResolutionView) -> None:
    """A failed or interrupted order-system call, retried by someone with clearance."""
    form = f"retry_{r.id}"
    key = form_key(form)
    if r.order_call == "unknown":
        st.warning(
            md(
                "#{}: the order-system call was interrupted: check the order system before "
                "retrying (the retry reuses the same idempotency key, so it cannot pay twice).",
                r.id,
            )
        )
    else:
        st.error(md("#{}: the order system did not carry it out.", r.id))
        st.text(plain(f"Reason: {r.order_call_error or 'none given'}", 3000))
    who = approver_roles(policy, r.action, r.amount, r.order_value)
    if actor.role in who and st.button("Retry order-system call", key=field(form, "go")):
        done = perform(lambda s: retry_execution(s, actor, r.id, key=key, policy=policy), form=form)
        if done is not None:
            st.session_state["flash"] = ("success", f"#{r.id} retried: {send_now(r.id)}")
        st.rerun()


for r in detail.resolutions:
    amount = f" {money(r.amount)}" if r.amount else ""
    decided = f" by {r.decided_by}" if r.decided_by else ""
    why = f" ({r.decision_reason})" if r.decision_reason else ""
    call = (
        f" · order system: {r.order_call} ({r.order_call_attempts} attempts)"
        if r.order_call
        else ""
    )
    st.markdown(
        md(
            "- #{} **{}{}** {} · requested by {} · **{}**{}{}{}", r.id, ACTION_LABELS[r.action],
            amount, r.order_id or "", r.requested_by, r.status.replace("_", " "), decided, why,
            call,
        )
    )  # fmt: skip
    if r.reason:
        st.caption(md("Reason given: {}", r.reason))
    if r.status == APPROVED and r.order_call in ("failed", "unknown"):
        retry(r)
