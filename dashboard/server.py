"""The dashboard as served: `streamlit run dashboard/server.py` (what `monitor dashboard` runs).

The pages are dashboard/app.py; this wrapper adds the two routes that keep the sign-in in
an HttpOnly cookie (dashboard/session_routes.py), so a refresh or a new tab stays signed in.
Run as `streamlit run dashboard/app.py`, the dashboard works the same except that signing
in lasts only as long as the browser tab.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit import config

from dashboard.session_routes import routes

app = st.App(
    Path(__file__).resolve().parent / "app.py",
    routes=routes(str(config.get_option("server.baseUrlPath") or "")),
)
