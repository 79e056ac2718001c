"""Dashboard entry point: `streamlit run dashboard/app.py` (or `monitor dashboard`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Escalation monitor", page_icon="🚨", layout="wide")

navigation = st.navigation([st.Page(PAGES / "queue.py", title="Queue", icon="🚨", default=True)])
navigation.run()
