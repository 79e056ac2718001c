"""The impostor warning on a case: who posed as us, what they tried, and the two actions.

Handles, names and reply texts are chosen by the impostor, so they are shown with `st.text`
through `plain` (never Markdown, bidi controls marked); labels and buttons carry only our own
words.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard.actions import perform
from dashboard.safe_text import plain
from monitor.auth.permissions import Actor, allowed
from monitor.config import ImpostorSettings
from monitor.impostors.service import ImpostorReply, report_account, send_warning
from monitor.vocab import Permission


def show(
    key: str,
    case_id: int,
    replies: list[ImpostorReply],
    actor: Actor,
    settings: ImpostorSettings,
) -> None:
    for reply in replies:
        with st.container(border=True):
            st.error("Possible impostor reply: this account is not us.", icon="🚨")
            st.text(plain(reply.banner))
            st.text(plain(f"Their reply ({reply.at:%Y-%m-%d %H:%M} UTC): {reply.text}"))
            st.text(plain(f"Impostor score {reply.score:.0f}: {reply.explanation}"))
            if not allowed(actor, Permission.CASE_WORK):
                continue
            warn, report = st.columns(2)
            if warn.button("Send warning reply", key=f"{key}_warn_{reply.post_id}"):
                warning = partial(
                    send_warning, actor=actor, case_id=case_id, post_id=reply.post_id,
                    settings=settings,
                )  # fmt: skip
                perform(warning, "Warning reply queued in the outbox; it goes out publicly.")
                st.rerun()
            if reply.reported:
                report.button("Account reported", disabled=True, key=f"{key}_rep_{reply.post_id}")
            elif report.button("Report account", key=f"{key}_rep_{reply.post_id}"):
                record = partial(
                    report_account, actor=actor, author_id=reply.author_id,
                    post_id=reply.post_id, note=f"case {case_id}",
                )  # fmt: skip
                perform(record, "Account recorded as reported; report it on the platform too.")
                st.rerun()
