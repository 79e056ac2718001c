"""Streamlit dashboard for the social care team. Pages call services in `monitor`; no SQL here."""
