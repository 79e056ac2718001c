"""Reply templates (admins): the canned replies agents start from. Each one passes the reply
safety check when it is saved; a refusal lists every reason."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.actions import field, form_key, perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.safe_text import md, one_line, table
from dashboard.state import app_context
from monitor.auth.permissions import allowed
from monitor.cases.reply_check import brand_contacts
from monitor.cases.templates import (
    PLACEHOLDERS,
    TemplateView,
    list_templates,
    save_template,
    set_template_active,
)
from monitor.vocab import Permission

actor = current_actor()
st.title("Reply templates")
if not allowed(actor, Permission.TEMPLATES_MANAGE):
    st.error("Only admins edit reply templates.")
    st.stop()
show_flash()
brand = brand_contacts(app_context().settings)

st.caption(
    md(
        "Agents pick these in the reply composer. Placeholders: {}.",
        "; ".join(f"{{{name}}} is {what}" for name, what in PLACEHOLDERS.items()),
        limit=1000,
    )
)
st.caption(
    "Write `{{` or `}}` for a brace. A template must pass the reply safety check on both "
    "channels: it fits a public reply (280 characters) and asks for no secrets."
)
templates = read(list_templates)
st.dataframe(
    table(
        pd.DataFrame(
            {
                "Name": [t.name for t in templates],
                "Status": ["Offered" if t.active else "Retired" for t in templates],
                "Text": [t.body for t in templates],
                "Last change (UTC)": [f"{t.updated_at:%Y-%m-%d %H:%M}" for t in templates],
                "By": [t.updated_by or "(shipped)" for t in templates],
            }
        )
    ),
    hide_index=True,
)

by_id: dict[int, TemplateView] = {t.id: t for t in templates}
chosen = st.selectbox(
    "Template",
    [0, *by_id],
    format_func=lambda i: "New template" if i == 0 else one_line(by_id[i].name, 80),
    key="templates_pick",
)
current = by_id.get(int(chosen or 0))
form = f"template_{current.id if current else 'new'}"
key = form_key(form)
with st.form(field(form, "form")):
    name = st.text_input(
        "Name", value=current.name if current else "", max_chars=80, key=field(form, "name")
    )
    body = st.text_area(
        "Text", value=current.body if current else "", height=120, key=field(form, "body")
    )
    if st.form_submit_button("Save template", type="primary"):
        perform(
            lambda s: save_template(
                s, actor, name, body, key=key, brand=brand,
                template_id=current.id if current else None,
            ),
            lambda saved: f"Template {saved.name!r} saved.",
            form=form,
        )  # fmt: skip
        st.rerun()

if current is not None:
    shown = current  # the template this button acts on, for the lambda below
    toggle = f"template_active_{current.id}"
    toggle_key = form_key(toggle)
    if st.button(
        "Retire (stop offering it)" if current.active else "Offer it again",
        key=field(toggle, "button"),
    ):
        perform(
            lambda s: set_template_active(
                s, actor, shown.id, not shown.active, key=toggle_key, brand=brand
            ),
            f"Template {current.name!r} {'retired' if current.active else 'offered again'}.",
            form=toggle,
        )
        st.rerun()
