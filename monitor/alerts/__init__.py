"""Urgency alerts: rules, spike detection and delivery through apprise."""
