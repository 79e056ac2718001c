"""Users and roles (admin only): accounts, roles, deactivation, unlock and password reset,
and the audit log check."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.actions import perform, read, show_flash
from dashboard.auth import current_actor
from dashboard.safe_text import md, one_line, table
from monitor.auth import accounts
from monitor.auth.permissions import allowed, require
from monitor.cases.audit import recent_entries
from monitor.cases.audit_verify import verify_chain
from monitor.vocab import Permission, Role

ROLES = list(Role)

actor = current_actor()
st.title("Users and roles")
if not allowed(actor, Permission.USERS_MANAGE):
    st.error("Only admins manage users.")
    st.stop()
show_flash()

users = read(
    lambda s: [
        (u.username, u.role, u.email or "", u.active, u.locked_until)
        for u in accounts.list_users(s)
    ]
)
st.dataframe(
    table(pd.DataFrame(users, columns=["User", "Role", "E-mail", "Active", "Locked until"])),
    hide_index=True,
)
names = [u[0] for u in users]

with st.form("user_add"):
    st.subheader("Add a user")
    a, b, c, d = st.columns(4)
    username = a.text_input("Username", key="user_new_name")
    role = b.selectbox("Role", ROLES, index=ROLES.index(Role.AGENT), key="user_new_role")
    email = c.text_input("E-mail (optional)", key="user_new_email")
    password = d.text_input("Password", type="password", key="user_new_password")
    if st.form_submit_button("Add user"):
        perform(
            lambda s: accounts.create_user(s, actor, username, password, role, email=email),
            f"Added {role} {username}.",
        )
        st.rerun()

st.subheader("Change a role")
a, b, c = st.columns(3)
who = a.selectbox("User", names, format_func=one_line, key="user_pick")
new_role = b.selectbox("New role", ROLES, index=ROLES.index(Role.AGENT), key="user_role")
if c.button("Set role", key="user_set_role"):
    perform(lambda s: accounts.set_role(s, actor, who, new_role), f"{who} is now {new_role}.")
    st.rerun()
if c.button("Deactivate", key="user_deactivate"):
    perform(lambda s: accounts.set_active(s, actor, who, False), f"{who} deactivated.")
    st.rerun()
if c.button("Reactivate", key="user_reactivate"):
    perform(lambda s: accounts.set_active(s, actor, who, True), f"{who} reactivated.")
    st.rerun()
if c.button("Unlock sign-in", key="user_unlock"):
    perform(lambda s: accounts.unlock_user(s, actor, who), f"{who} is unlocked.")
    st.rerun()

with st.form("user_password", clear_on_submit=True):
    st.subheader("Set a new password")
    st.caption("For the user chosen above; it lifts any lockout and signs them out everywhere.")
    a, b = st.columns(2)
    new_password = a.text_input("New password", type="password", key="user_reset_password")
    repeated = b.text_input("Repeat it", type="password", key="user_reset_repeat")
    if st.form_submit_button("Set password"):
        if new_password != repeated:
            st.error("The two passwords differ: type the same password twice.")
        else:
            perform(
                lambda s: accounts.set_password(s, actor, who, new_password),
                f"New password set for {who}.",
            )
            st.rerun()

st.subheader("Audit log")
require(actor, Permission.AUDIT_VIEW)
if st.button("Verify the chain", key="audit_verify"):
    report = read(verify_chain)
    if report.intact:
        st.success(md("{}", report.describe(), limit=1000))
    else:
        st.error(md("{}", report.describe(), limit=1000))
entries = read(
    lambda s: [
        (e.id, e.at, e.actor, e.action, e.entity, e.entity_id) for e in recent_entries(s, 100)
    ]
)
st.dataframe(
    table(pd.DataFrame(entries, columns=["#", "At (UTC)", "Who", "Action", "Entity", "Id"])),
    hide_index=True,
)
