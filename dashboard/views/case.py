"""Case: everything needed to work one case on one page. The conversation and the reply
composer on the left; who the customer is (and their earlier cases), orders, resolutions,
why it is urgent and notes on the right; who else has the case open on top.

Widgets that hold a case's values carry the case id in their keys, so switching cases never
shows (or submits) the previous case's status or intent. Only the controls the signed-in
role may use are drawn; the services check every permission again."""

from __future__ import annotations

import streamlit as st

from dashboard import links
from dashboard.actions import field, form_key, perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.components import (
    case_picker,
    composer,
    customer_panel,
    impostor_banner,
    order_linking,
    presence_bar,
    thread,
    urgency_chart,
)
from dashboard.components.resolutions_panel import Panel
from dashboard.formatting import author_label, channel_label, human, platform_label, sla_label
from dashboard.safe_text import md, one_line, plain
from dashboard.state import app_context
from monitor.auth.permissions import Actor, allowed
from monitor.cases import actions, feedback
from monitor.cases.detail import CaseDetail, case_detail, user_names
from monitor.cases.history import customer_history
from monitor.cases.orders import linked_orders
from monitor.cases.replies import confirm_reply_posted, retry_reply
from monitor.cases.reply_check import brand_contacts
from monitor.db.types import utcnow
from monitor.impostors.service import case_impostors
from monitor.scoring.language import language_name
from monitor.scoring.topics import TOPICS
from monitor.vocab import CallStatus, CaseStatus, Permission

ctx = app_context()
STATUSES: list[CaseStatus] = list(CaseStatus)
actor = current_actor()
policy = ctx.settings.clearance
st.title("Case")
case_id = case_picker.chosen("case_pick")
links.show_case_link(case_id)
# The outcome of the last action goes into a slot that is always there: an element that
# comes and goes would move everything below it, and the tabs would jump back to the first.
with st.container():
    show_flash()
presence_bar.show(case_id)

detail = read(lambda s: case_detail(s, case_id))
orders = read(lambda s: linked_orders(s, case_id))
history = read(lambda s: customer_history(s, case_id))
work = allowed(actor, Permission.CASE_WORK)


def header(detail: CaseDetail) -> None:
    """Short metric values, so none is cut off; the rest in a caption line."""
    minutes = None
    if detail.sla_due_at is not None:
        minutes = (detail.sla_due_at - utcnow()).total_seconds() / 60
    cols = st.columns(3)
    cols[0].metric("Urgency", md("{}", f"{detail.priority:.0f}"))
    cols[1].metric("SLA", md("{}", sla_label(minutes)))
    cols[2].metric("Status", md("{}", human(detail.status).capitalize()))
    who = author_label(detail.platform, detail.author_handle, detail.author_name)
    first = next((item for item in detail.thread if item.inbound), None)
    via = channel_label(detail.platform, first.kind) if first else platform_label(detail.platform)
    st.caption(
        md("#{} · {} · {} · about {} · assigned to {} · opened {} UTC", detail.id, who, via,
           human(detail.intent or "other"), detail.assignee or "nobody",
           f"{detail.opened_at:%Y-%m-%d %H:%M}")
    )  # fmt: skip


def controls(actor: Actor, detail: CaseDetail) -> None:
    """Claim, status and assignment: keys carry the case id (see the module docstring)."""
    claim_col, status_col, assign_col = st.columns(3, vertical_alignment="bottom")
    claim = form_key(f"claim_{case_id}")
    if claim_col.button("Claim", key=field(f"claim_{case_id}", "go")):
        perform(
            lambda s: actions.claim_case(s, actor, case_id, key=claim), "Case claimed.",
            form=f"claim_{case_id}",
        )  # fmt: skip
        st.rerun()
    change = form_key(f"status_{case_id}")
    status = status_col.selectbox(
        "Status", STATUSES, index=STATUSES.index(detail.status),
        key=field(f"status_{case_id}", "status"),
        format_func=lambda s: one_line(human(s).capitalize()),
    )  # fmt: skip
    if status_col.button("Update status", key=field(f"status_{case_id}", "go")):
        perform(
            lambda s: actions.set_status(s, actor, case_id, status, key=change),
            f"Status set to {status}.", form=f"status_{case_id}",
        )  # fmt: skip
        st.rerun()
    if allowed(actor, Permission.CASE_ASSIGN):
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


def failed_replies(detail: CaseDetail) -> None:
    failed = [
        item for item in detail.thread if item.status in (CallStatus.FAILED, CallStatus.UNKNOWN)
    ]
    if failed:
        st.subheader("Replies that did not go out")
    for item in failed:
        with st.container(border=True):
            if item.status == CallStatus.UNKNOWN:
                st.warning(
                    md(
                        "Reply #{} may or may not have been posted: the sender stopped "
                        "mid-send. Check the platform before sending it again.",
                        item.outbox_id,
                    )
                )
            else:
                st.error(md("Reply #{} failed for good.", item.outbox_id))
            # Upstream error bodies and reply text are shown as plain text, never as Markdown.
            st.text(plain(f"Reason: {item.error or 'none given'}\nReply: {item.text}", 3000))
            if work:
                reply_actions(item.outbox_id or 0, item.status == CallStatus.UNKNOWN)


def urgency(detail: CaseDetail) -> None:
    urgency_chart.show(detail.factors, key=f"case_factors_{case_id}")
    if detail.explanation:
        st.caption(md("In short: {}", detail.explanation))
    topics = ", ".join(human(t) for t in detail.topics) or "none"
    st.text(plain(f"Topics: {topics} · Language: {language_name(detail.language)}"))
    if work:
        teach(detail)


def teach(detail: CaseDetail) -> None:
    with st.expander("Teach the model", expanded=False):
        for line in read(lambda s: feedback.case_feedback(s, case_id)):
            st.text(plain(line))
        pick_col, fix_col = st.columns([3, 1], vertical_alignment="bottom")
        current = detail.intent if detail.intent in TOPICS else "other"
        right_intent = pick_col.selectbox(
            "Right intent", TOPICS, index=TOPICS.index(current),
            format_func=lambda topic: one_line(human(topic)), key=f"case_right_intent_{case_id}",
        )  # fmt: skip
        if fix_col.button("Correct intent", key=f"case_correct_intent_{case_id}"):
            perform(
                lambda s: feedback.correct_intent(s, actor, case_id, right_intent),
                f"Intent set to {human(right_intent)}; the model will learn from it.",
            )
            st.rerun()
        more_col, less_col = st.columns(2)
        if more_col.button("More urgent", key=f"case_more_urgent_{case_id}"):
            perform(lambda s: feedback.rate_urgency(s, actor, case_id, 1), "Noted: more urgent.")
            st.rerun()
        if less_col.button("Less urgent", key=f"case_less_urgent_{case_id}"):
            perform(lambda s: feedback.rate_urgency(s, actor, case_id, -1), "Noted: less urgent.")
            st.rerun()


def notes(detail: CaseDetail) -> None:
    st.markdown(md("**Internal notes ({})**", len(detail.notes)))
    for note in detail.notes:
        st.caption(md("**{}** · {}", note.author, f"{note.at:%Y-%m-%d %H:%M} UTC"))
        st.text(plain(note.text))
    if not detail.notes:
        st.caption("No notes yet.")
    if not work:
        return
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


header(detail)
if work:
    controls(actor, detail)
else:
    st.info("Read-only access: your role can read cases but not change them.")
impostors = read(lambda s: case_impostors(s, case_id))
impostor_banner.show("case_impostor", case_id, impostors, actor, ctx.settings.impostors)

left, right = st.columns([5, 4], gap="medium")
with left:
    st.subheader("Conversation")
    who = author_label(detail.platform, detail.author_handle, detail.author_name)
    thread.show(detail.thread, key=f"case_thread_{case_id}", author=who)
    failed_replies(detail)
    if work:
        st.subheader("Reply")
        composer.show(detail, actor, brand_contacts(ctx.settings))
with right:
    # Fixed labels (no counts): a tab whose label changes is drawn anew and loses its place.
    tabs = st.tabs(["Customer", "Orders", "Resolutions", "Urgency", "Notes"])
    with tabs[0]:
        customer_panel.show(detail, history)
    with tabs[1]:
        order_linking.show(case_id, orders, actor)
    with tabs[2]:
        Panel(detail, orders, actor, policy, policy.specialist_teams).show()
    with tabs[3]:
        urgency(detail)
    with tabs[4]:
        notes(detail)
