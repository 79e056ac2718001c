"""Small wording helpers shared by refusals, audit lines and pages, so amounts and articles
read the same everywhere."""

from __future__ import annotations

from decimal import Decimal


def a(word: str) -> str:
    """'an agent', 'a senior': messages read as sentences."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def money(amount: Decimal | None) -> str:
    return "-" if amount is None else f"${amount:,.2f}"
