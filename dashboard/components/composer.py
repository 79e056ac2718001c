"""The reply composer on the case page: templates, channel, a character count against the
limit, and the reply safety check while typing. The service runs the same check again when
the reply is queued, so a reply cannot skip it."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from dashboard import links
from dashboard.actions import field, form_key, perform, read
from dashboard.browser_scripts import focus_text_area
from dashboard.formatting import platform_label
from dashboard.safe_text import md, one_line
from dashboard.state import app_context
from monitor.auth.permissions import Actor
from monitor.cases.detail import CaseDetail
from monitor.cases.greetings import greeting
from monitor.cases.presence import touch
from monitor.cases.replies import CHANNELS, Channel, check_reply, queue_reply
from monitor.cases.reply_check import MAX_LENGTH, BrandContacts
from monitor.cases.templates import fill_template, template_names
from monitor.db.engine import transaction
from monitor.errors import UserFacingError
from monitor.vocab import Platform, ReplyChannel

NONE = "(none)"


def _typing(actor: Actor, case_id: int) -> None:
    """Runs when the reply box changes: others on the case see that a reply is being written."""
    with transaction(app_context().sessions) as session:
        touch(session, actor, case_id, typing=True)


def _count(text: str, channel: Channel, platform: str) -> str:
    if channel == ReplyChannel.DM:
        return f"{len(text)} characters"
    where = f" ({platform_label(platform)}'s limit)" if platform == Platform.X else ""
    return f"{len(text)} / {MAX_LENGTH[ReplyChannel.PUBLIC]} characters{where}"


def show(detail: CaseDetail, actor: Actor, brand: BrandContacts) -> None:
    case_id = detail.id
    form = f"reply_{case_id}"
    key = form_key(form)
    customer_name = detail.customer.name if detail.customer else None
    pick, use = st.columns([3, 1], vertical_alignment="bottom")
    names = read(template_names)  # kept as data: admins edit them on Reply templates
    template = pick.selectbox(
        "Template", [NONE, *names], format_func=one_line, key=f"reply_template_{case_id}"
    )
    if use.button("Use template", key=f"reply_use_template_{case_id}") and template != NONE:
        try:
            st.session_state[field(form, "text")] = read(
                lambda s: fill_template(
                    s, str(template), handle=detail.author_handle, customer_name=customer_name,
                    platform=detail.platform,
                )
            )  # fmt: skip
        except UserFacingError as exc:  # retired since the list was drawn
            st.error(md("{}", exc))
    hello = greeting(detail.platform, detail.author_handle)
    if hello.warning and template != NONE:
        st.warning(md("{}", hello.warning))
    channel: Channel = st.radio(
        "Channel", CHANNELS, horizontal=True, key=f"reply_channel_{case_id}",
        format_func=lambda c: "Public reply" if c == "public" else "Direct message",
    )  # fmt: skip
    # Public replies: the browser counts characters as they are typed, up to the limit.
    text = st.text_area(
        "Reply", key=field(form, "text"), height=120,
        max_chars=MAX_LENGTH[ReplyChannel.PUBLIC] if channel == ReplyChannel.PUBLIC else None,
        on_change=_typing, args=(actor, case_id),
    )  # fmt: skip
    st.caption(md("{}", _count(text, channel, detail.platform)))
    if st.session_state.get(links.REPLY) == case_id:  # opened with "r" from the Queue
        del st.session_state[links.REPLY]
        focus_text_area(field(form, "text"))
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

        def send(session: Session) -> object:
            queued = queue_reply(
                session, actor, case_id, text, channel=channel, key=key,
                confirm_warnings=confirmed, brand=brand,
            )  # fmt: skip
            touch(session, actor, case_id, replied=True)  # no longer "writing a reply"
            return queued

        perform(
            send, "Reply queued in the outbox; it is sent by the scheduler's outbox job.", form=form
        )
        st.rerun()
