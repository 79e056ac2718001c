"""Social-media escalation monitor: poll, score, route and resolve customer posts."""

__version__ = "0.1.0"
