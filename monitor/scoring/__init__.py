"""Scoring: a text model (sentiment and more) plus business signals give an explainable urgency."""
