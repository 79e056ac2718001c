"""The whole conversation, public posts and DMs, with our queued and sent replies."""

from __future__ import annotations

import streamlit as st

from dashboard.safe_text import escape, handle, md, plain
from monitor.cases.detail import ThreadItem
from monitor.vocab import ReplyChannel

# Our replies' outbox states, as the team would say them.
STATUS_LABELS = {
    "queued": "waiting to be sent",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed",
    "unknown": "may not have been sent",
}


def show(thread: list[ThreadItem], key: str, author: str | None = None) -> None:
    """`author` is how to call the customer (a display name for numeric Facebook ids)."""
    if not thread:
        st.caption("No posts.")
    for item in thread:
        role = "user" if item.inbound or item.third_party else "assistant"
        with st.chat_message(role, avatar="⚠️" if item.third_party else None):
            where = "DM" if item.channel == ReplyChannel.DM else "public"
            extra = f" · urgency {item.urgency:.0f}" if item.urgency is not None else ""
            if item.status:
                extra += f" · {STATUS_LABELS.get(item.status, item.status)}"
            if item.inbound and not item.third_party and author and not author.startswith("@"):
                who = escape(author)
            else:
                who = handle(item.who) if item.inbound else escape(item.who)
            st.caption(md("{} · {} · {} UTC{}", who, where, f"{item.at:%Y-%m-%d %H:%M}", extra))
            st.text(plain(item.text))
