"""Running a service from a button: one transaction, and the outcome shown after the rerun.

Services raise UserFacingError with a message that already says which rule refused and who
can help, so the page shows it verbatim instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from dashboard.state import app_context
from monitor.errors import UserFacingError

T = TypeVar("T")
FLASH = "flash"


def perform(
    work: Callable[[Session], T], success: str | Callable[[T], str] | None = None
) -> T | None:
    """Run `work` in a transaction; on success or refusal keep a message for `show_flash`."""
    try:
        with app_context().sessions() as session, session.begin():
            result = work(session)
            message = success(result) if callable(success) else success
    except UserFacingError as exc:
        st.session_state[FLASH] = ("error", str(exc))
        return None
    if message:
        st.session_state[FLASH] = ("success", message)
    return result


def show_flash() -> None:
    kind, message = st.session_state.pop(FLASH, (None, None))
    if kind == "error":
        st.error(message)
    elif kind == "warning":
        st.warning(message)
    elif kind == "success":
        st.success(message)


def read(work: Callable[[Session], T]) -> T:
    with app_context().sessions() as session:
        return work(session)
