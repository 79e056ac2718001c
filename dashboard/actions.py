"""Running a service from a button: one transaction, and the outcome shown after the rerun.

Services raise UserFacingError with a message that already says which rule refused and who
can help, so the page shows it verbatim instead of a traceback.

Every state-changing form is drawn with an idempotency key (`form_key`) that the service
records in the same transaction as the action, so the database refuses a second run of the
same submission. The form's widgets carry the key in their own keys (`field`): after a
success the key changes, the form is drawn anew and empty, and a late click on the old form
(a double click, a re-click) belongs to a widget that no longer exists, so it does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from dashboard.auth import ACTOR, TOKEN
from dashboard.safe_text import escape
from dashboard.state import app_context
from monitor.auth import accounts
from monitor.auth.permissions import Actor
from monitor.db.engine import transaction
from monitor.errors import UserFacingError
from monitor.submissions import AlreadyDone, new_key

T = TypeVar("T")
FLASH = "flash"
_KEYS = "form_keys"


def form_key(form: str) -> str:
    """The idempotency key of `form` as drawn now; it stays until the form succeeds."""
    keys: dict[str, str] = st.session_state.setdefault(_KEYS, {})
    return keys.setdefault(form, new_key())


def field(form: str, name: str) -> str:
    """A widget key inside `form`, tied to the form's current key."""
    return f"{form}_{form_key(form)[:12]}_{name}"


def form_done(form: str) -> None:
    """Forget the form's key: the next draw is a new, empty form."""
    st.session_state.setdefault(_KEYS, {}).pop(form, None)


def late_clicks(group: str, drawn: dict[str, T]) -> list[T]:
    """Payloads of `group`'s buttons that were clicked on the previous draw but are not drawn
    now, because another tab or person acted first. The page still submits them with their
    key, so the service can say the submission was already done instead of the click
    silently vanishing. `drawn` maps this run's button keys to their payloads."""
    name = f"_drawn_{group}"
    before: dict[str, T] = st.session_state.get(name, {})
    st.session_state[name] = drawn
    return [
        payload
        for key, payload in before.items()
        if key not in drawn and st.session_state.get(key) is True
    ]


def perform(
    work: Callable[[Session], T],
    success: str | Callable[[T], str] | None = None,
    *,
    form: str | None = None,
) -> T | None:
    """Run `work` in a transaction; on success or refusal keep a message for `show_flash`.

    `form` names the form whose key `work` used: it is cleared after a success, and after a
    submission the database says was already done. A refusal keeps the form as it was, so
    the user can correct it and submit again with the same key (nothing was recorded).

    The sign-in is checked again in the same transaction first: a page opened before the
    user was deactivated, signed out or given another role cannot act on the old one.
    """
    try:
        with transaction(app_context().sessions) as session:
            _check_session(session)
            result = work(session)
            message = success(result) if callable(success) else success
    except AlreadyDone as exc:
        st.session_state[FLASH] = ("info", str(exc))
        if form:
            form_done(form)
        return None
    except UserFacingError as exc:
        st.session_state[FLASH] = ("error", str(exc))
        return None
    if form:
        form_done(form)
    if message:
        st.session_state[FLASH] = ("success", message)
    return result


def perform_calling_out(
    work: Callable[[sessionmaker[Session]], T],
    success: str | Callable[[T], str] | None = None,
) -> T | None:
    """Like `perform`, for services that call outside the database (an alert route) or
    write files, and so open their own short transactions instead of holding one: the
    sign-in is checked first, then `work` gets the session factory."""
    sessions = app_context().sessions
    try:
        with sessions() as session:
            _check_session(session)
        result = work(sessions)
        message = success(result) if callable(success) else success
    except UserFacingError as exc:
        st.session_state[FLASH] = ("error", str(exc))
        return None
    if message:
        st.session_state[FLASH] = ("success", message)
    return result


class SessionEnded(UserFacingError):
    """The browser's sign-in is no longer valid (or no longer the same role)."""


def check_session(session: Session) -> None:
    """Refuse (SessionEnded) unless this tab's sign-in is still the one the page was drawn
    for; for services that run their own transactions (bulk actions)."""
    _check_session(session)


def _check_session(session: Session) -> None:
    shown = st.session_state.get(ACTOR)
    user = accounts.session_user(session, st.session_state.get(TOKEN))
    current = accounts.actor_for(user) if user is not None else None
    if current is None or not isinstance(shown, Actor) or current != shown:
        raise SessionEnded(
            "nothing was done: your sign-in has ended or your role changed. Reload the page "
            "and sign in again"
        )


def show_flash() -> None:
    """Messages quote what people typed (usernames, reasons, order ids): shown as text."""
    kind, message = st.session_state.pop(FLASH, (None, None))
    if kind == "error":
        st.error(escape(message, limit=1000))
    elif kind == "warning":
        st.warning(escape(message, limit=1000))
    elif kind == "info":
        st.info(escape(message, limit=1000))
    elif kind == "success":
        st.success(escape(message, limit=1000))


def read(work: Callable[[Session], T]) -> T:
    with app_context().sessions() as session:
        return work(session)
