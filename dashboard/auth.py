"""The login gate: a local username/password form, or Streamlit's st.login (OIDC) when
configured.

A sign-in is a random token; the database keeps only its sha256, so signing out or
deactivating a user ends the session everywhere. The tab keeps the token in session state,
and the browser keeps it signed in an HttpOnly cookie (monitor/auth/cookies.py, set through
dashboard/session_routes.py), so a refresh or a new tab stays signed in until the session
expires or someone signs out. The page the user asked for (`?case=85`) stays in the address
bar through the sign-in form.
"""

from __future__ import annotations

import streamlit as st

from dashboard import browser_scripts
from dashboard.safe_text import md
from dashboard.session_routes import HANDOFFS
from dashboard.state import app_context
from monitor.auth import accounts, cookies, throttle
from monitor.auth.permissions import Actor
from monitor.db.engine import transaction

TOKEN = "auth_token"  # noqa: S105 - a session-state key, not a secret
ACTOR = "actor"
_COOKIE_OUT = "session_cookie_handoff"  # a sign-in whose cookie the browser has yet to get
_COOKIE_GONE = "session_cookie_remove"  # a sign-out whose cookie the browser still has


def _cookie_token() -> str | None:
    """The token in the browser's signed cookie, as sent when this tab connected."""
    return cookies.unsign(st.context.cookies.get(cookies.COOKIE_NAME))


def signed_in() -> Actor | None:
    """The actor for this browser session, re-checked against the database on every run so
    an expired, revoked or deactivated session stops working at once. A tab that has no
    sign-in of its own takes the browser's cookie (a refresh, a new tab, a shared link)."""
    own = st.session_state.get(TOKEN)
    token = own or _cookie_token()
    if not token:
        if isinstance(st.context.cookies.get(cookies.COOKIE_NAME), str):  # edited or stale
            st.session_state[_COOKIE_GONE] = True
        st.session_state[ACTOR] = None
        return None
    ctx = app_context()
    with ctx.sessions() as session:
        user = accounts.session_user(session, token)
        actor = accounts.actor_for(user) if user is not None else None
    st.session_state[TOKEN] = token if actor is not None else None
    if actor is None and not own:  # the cookie's session expired or was ended: forget it
        st.session_state[_COOKIE_GONE] = True
    st.session_state[ACTOR] = actor
    return actor


def sync_cookie() -> None:
    """Give the browser its cookie after a sign-in, or take it away after a sign-out. Runs
    on the first page drawn afterwards, so the script is not lost to the sign-in's rerun."""
    handoff = st.session_state.pop(_COOKIE_OUT, None)
    if handoff:
        browser_scripts.store_session_cookie(handoff)
    if st.session_state.pop(_COOKIE_GONE, False):
        browser_scripts.remove_session_cookie()


def require_session() -> Actor:
    """For code that runs without app.py (auto-refreshing fragments): re-check the sign-in
    against the database; a revoked, expired or deactivated session, or a changed role,
    reruns the whole app, which shows the sign-in form or the new pages. (Actions are
    checked again by `dashboard.actions.perform`.)"""
    before = st.session_state.get(ACTOR)
    actor = signed_in()
    if actor is None or actor != before:
        st.rerun(scope="app")
    assert actor is not None
    return actor


def client() -> str:
    """The address sign-in failures are counted against (see throttle.client_key)."""
    headers = st.context.headers
    return throttle.client_key(
        st.context.ip_address,
        headers.get("X-Forwarded-For") if headers is not None else None,
        app_context().settings.auth.trusted_proxies,
    )


def current_actor() -> Actor:
    """For pages: app.py only runs a page once someone is signed in. Also draws who is
    signed in and the sign-out button (in each page, so it works the same under AppTest)."""
    actor = st.session_state.get(ACTOR)
    if actor is None:
        st.stop()
    assert isinstance(actor, Actor)
    with st.sidebar:
        st.caption(md("Signed in as **{}** ({})", actor.username, actor.role))
        if st.button("Sign out", key="logout"):
            logout()
    return actor


def _start(user_id: int) -> None:
    ctx = app_context()
    with transaction(ctx.sessions) as session:
        user = session.get_one(accounts.User, user_id)
        token = accounts.start_session(session, user, ctx.settings.auth)
        expires_at = accounts.session_expires_at(session, token)
    assert expires_at is not None
    st.session_state[TOKEN] = token
    st.session_state[_COOKIE_OUT] = HANDOFFS.issue(token, expires_at)
    st.session_state.pop(_COOKIE_GONE, None)


def login_form() -> None:
    settings = app_context().settings.auth
    st.title("Escalation monitor")
    st.caption("Sign in to work the social care queue.")
    if settings.sso.enabled:
        _sso()
    if not settings.local_accounts:
        return
    with st.form("login", clear_on_submit=False):
        username = st.text_input("Username", key="login_username")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        ctx = app_context()
        with transaction(ctx.sessions) as session:
            outcome = accounts.authenticate(session, username, password, settings, client=client())
            user_id = outcome.user.id if outcome.user is not None else None
        if user_id is None:
            st.error(md("Sign-in failed: {}.", outcome.message))
            return
        _start(user_id)
        st.rerun()


def _sso() -> None:
    settings = app_context().settings.auth
    user_info = st.user
    if not user_info.is_logged_in:
        if st.button("Sign in with single sign-on", key="sso_login"):
            if settings.sso.provider:
                st.login(settings.sso.provider)
            else:
                st.login()
        return
    email, verified, subject = accounts.sso_claims(user_info)
    ctx = app_context()
    with transaction(ctx.sessions) as session:
        user = (
            accounts.sso_user(session, email, settings, email_verified=verified, subject=subject)
            if email
            else None
        )
        user_id = user.id if user is not None else None
    if user_id is None:
        st.error(
            "Single sign-on cannot open an account for this identity: the provider must "
            "confirm a verified e-mail address that an admin has mapped to a role, and that "
            "is not already used by a password account. Ask an admin."
        )
        if st.button("Sign out of single sign-on"):
            st.logout()
        return
    _start(user_id)
    st.rerun()


def logout() -> None:
    """Ends the session in the database (every tab and device that shares it is signed out
    at its next step) and removes the browser's cookie."""
    token = st.session_state.get(TOKEN)
    st.session_state[TOKEN] = None
    st.session_state[ACTOR] = None
    st.session_state[_COOKIE_GONE] = True
    st.session_state.pop(_COOKIE_OUT, None)
    if token:
        ctx = app_context()
        with transaction(ctx.sessions) as session:
            accounts.end_session(session, token)
    if app_context().settings.auth.sso.enabled and st.user.is_logged_in:
        st.logout()
    st.rerun()
