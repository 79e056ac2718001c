"""Process-wide resources for the dashboard, created once, not on every Streamlit rerun."""

from __future__ import annotations

import streamlit as st

from monitor.context import AppContext
from monitor.settings import load_settings


@st.cache_resource(show_spinner=False)
def app_context() -> AppContext:
    """Settings and the database engine; the scheduler never runs inside the dashboard."""
    return AppContext(load_settings())
