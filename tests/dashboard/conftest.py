"""The dashboard under AppTest, against a fresh database of either backend."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    st.cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=30)
