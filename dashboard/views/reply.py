"""Reply: templates, safety checks while typing, and the outbox. Checks run again in the
service when the reply is queued, so a reply cannot skip them."""

from __future__ import annotations

import streamlit as st

from dashboard.actions import field, form_key, perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.components import case_picker, thread
from dashboard.safe_text import md, one_line
from dashboard.state import app_context
from monitor.cases.detail import case_detail
from monitor.cases.greetings import greeting
from monitor.cases.replies import CHANNELS, Channel, check_reply, queue_reply
from monitor.cases.reply_check import brand_contacts
from monitor.cases.templates import fill_template, template_names
from monitor.errors import UserFacingError

actor = current_actor()
brand = brand_contacts(app_context().settings)
st.title("Reply")
case_id = case_picker.chosen("reply_pick")
show_flash()
detail = read(lambda s: case_detail(s, case_id))
customer_name = detail.customer.name if detail.customer else None

left, right = st.columns([2, 3])
with left:
    thread.show(detail.thread, key="reply_thread")
with right:
    form = f"reply_{case_id}"
    key = form_key(form)
    names = read(template_names)
    template = st.selectbox(
        "Template", ["(none)", *names], format_func=one_line, key="reply_template"
    )
    hello = greeting(detail.platform, detail.author_handle)
    if st.button("Use template", key="reply_use_template") and template != "(none)":
        try:
            st.session_state[field(form, "text")] = read(
                lambda s: fill_template(
                    s, str(template), handle=detail.author_handle, customer_name=customer_name,
                    platform=detail.platform,
                )
            )  # fmt: skip
        except UserFacingError as exc:  # retired since the list was drawn
            st.error(md("{}", exc))
    if hello.warning and template != "(none)":
        st.warning(md("{}", hello.warning))
    channel: Channel = st.radio(
        "Channel", CHANNELS, horizontal=True, key="reply_channel",
        format_func=lambda c: "Public reply" if c == "public" else "Direct message",
    )  # fmt: skip
    text = st.text_area("Reply", key=field(form, "text"), height=140)
    issues = check_reply(text, channel, brand) if text else []
    for issue in issues:
        if issue.blocking:
            st.error(md("{}", issue.message, limit=1000))
        else:
            st.warning(md("{}", issue.message, limit=1000))
    warnings = [i for i in issues if not i.blocking]
    confirmed = False
    if warnings:
        confirmed = st.checkbox("Send anyway: I checked the warnings", key=field(form, "confirm"))
    if st.button("Send reply", type="primary", key=field(form, "send")):
        perform(
            lambda s: queue_reply(
                s,
                actor,
                case_id,
                text,
                channel=channel,
                key=key,
                confirm_warnings=confirmed,
                brand=brand,
            ),
            "Reply queued in the outbox; it is sent by the scheduler's outbox job.",
            form=form,
        )
        st.rerun()
